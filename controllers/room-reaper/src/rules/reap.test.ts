import { describe, expect, test } from '@jest/globals';
import { classifyGateways, disconnectsFor, leftoverConnections, parseConnection, type PodView } from './reap.js';

describe('dead gateways', () => {
  const now = 1_000_000;
  const STALE = 20_000;
  const beats = (entries: [string, number][]) => new Map(entries);
  const view = (pods: [string, boolean][], deleted: [string, number][] = []): PodView => ({
    known: true, pods: new Map(pods.map(([n, terminal]) => [n, { terminal }])), deleted: new Map(deleted),
  });
  const states = (v: ReturnType<typeof classifyGateways>) => Object.fromEntries(v.map((x) => [x.id, x.state]));

  test('without Kubernetes: a stale heartbeat is death, a fresh one is life', () => {
    expect(states(classifyGateways(beats([['a', now - 1_000], ['b', now - 30_000], ['c', now - STALE]]), { known: false }, now, STALE)))
      .toEqual({ a: 'alive', b: 'dead', c: 'alive' });
  });

  test('a deleted pod is dead at once unless it heartbeated after the deletion was seen', () => {
    const v = view([], [['gone', now - 500], ['partitioned', now - 5_000]]);
    expect(states(classifyGateways(beats([['gone', now - 2_000], ['partitioned', now - 1_000]]), v, now, STALE)))
      .toEqual({ gone: 'dead', partitioned: 'no-pod' });
  });

  test('a terminated pod is dead; a running pod is never dead, however quiet (its probes restart it)', () => {
    const v = view([['failed', true], ['quiet', false], ['fine', false]]);
    expect(states(classifyGateways(beats([['failed', now], ['quiet', now - 60_000], ['fine', now]]), v, now, STALE)))
      .toEqual({ failed: 'dead', quiet: 'unresponsive', fine: 'alive' });
  });

  test('no pod of that name: a heartbeating gateway is reported, never killed (GATEWAY_ID not the pod name); a silent one is dead', () => {
    expect(states(classifyGateways(beats([['misnamed', now - 100], ['long-gone', now - 60_000]]), view([]), now, STALE)))
      .toEqual({ misnamed: 'no-pod', 'long-gone': 'dead' });
  });

  test('no gateways, no verdicts', () => {
    expect(classifyGateways(new Map(), { known: false }, now, STALE)).toEqual([]);
  });
});

test('one disconnect per room of each connection; connections in no room send none', () => {
  expect(disconnectsFor([
    { conn: 'c1', gw: 'g', playerId: 'p1', rooms: ['A', 'B', 'A'] },
    { conn: 'c2', gw: 'g', playerId: 'p2', rooms: [] },
  ])).toEqual([{ room: 'A', conn: 'c1', playerId: 'p1', gw: 'g' }, { room: 'B', conn: 'c1', playerId: 'p1', gw: 'g' }]);
});

test('registry entries: rooms from the comma list; an entry without a player is skipped', () => {
  expect(parseConnection('c1', { gw: 'g1', playerId: 'p', rooms: 'A, B,,', since: '1' }, 'g1')).toEqual({ conn: 'c1', gw: 'g1', playerId: 'p', rooms: ['A', 'B'], since: 1 });
  expect(parseConnection('c2', { gw: 'g1', playerId: 'p' }, 'g1')).toMatchObject({ rooms: [] });
  expect(parseConnection('c3', {}, 'g1')).toBeNull();
});

test('a restarted gateway container: the connections registered before it started are leftovers', () => {
  const conns = [
    { conn: 'old', gw: 'g', playerId: 'a', rooms: ['A'], since: 1_000 },
    { conn: 'new', gw: 'g', playerId: 'b', rooms: ['B'], since: 5_000 },
    { conn: 'unknown', gw: 'g', playerId: 'c', rooms: ['C'] },
  ];
  expect(leftoverConnections(conns, 5_000).map((c) => c.conn)).toEqual(['old']);
  expect(leftoverConnections(conns, 500)).toEqual([]);
});
