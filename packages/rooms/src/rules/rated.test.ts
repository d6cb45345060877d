// Rated rooms: only signed-in players (u_ ids) may create or join one; the room, its events and
// the finalize record say it is rated; casual rooms are as before.
import { describe, expect, test } from '@jest/globals';
import type { EngineCommand, GameRecord, Origin, RoomEvent } from '@gambit/protocol';
import { decide, type Decision } from './decide.js';
import { replay } from './chess.js';
import { stateMsg, type RoomState } from './state.js';

const ALICE: Origin = { gw: 'gw1', conn: 'c1', playerId: 'u_alice', name: 'alice' };
const BOB: Origin = { gw: 'gw2', conn: 'c2', playerId: 'u_bob', name: 'bob' };
const GUEST: Origin = { gw: 'gw1', conn: 'c3', playerId: 'g_guest', name: 'guest' };
const BOT: Origin = { gw: 'gw1', conn: 'c4', playerId: 'oidc:bot', name: 'bot' };
const ROOM = 'ABCDEFGH';
const tc = { initialMs: 300_000, incrementMs: 0 };

/** Runs commands through decide() as the engine would, keeping state, events and the record. */
function room() {
  let state: RoomState | null = null;
  const events: RoomEvent[] = [];
  let record: GameRecord | undefined;
  let n = 0;
  const run = (cmd: EngineCommand): Decision => {
    const d = decide(state, cmd, {
      now: 1_000_000 + n, cmdId: `cmd-${++n}`, newGameId: () => 'game-1', coin: () => true, game: () => replay(state?.moves ?? []),
    }, ROOM);
    if (d.kind === 'commit') {
      if (d.state !== undefined) state = d.state;
      events.push(...d.events);
      record = d.finalize ?? record;
    }
    return d;
  };
  return { run, events, state: () => state, record: () => record };
}

const errorOf = (d: Decision) => (d.kind === 'reply' && d.replies[0]?.msg.t === 'error' ? d.replies[0].msg.code : null);
const create = (origin: Origin, rated?: boolean): EngineCommand =>
  ({ t: 'create', origin, tc, color: 'white', ...(rated === undefined ? {} : { rated }) });
const join = (origin: Origin): EngineCommand => ({ t: 'join', origin, room: ROOM });

describe('rated rooms', () => {
  test('two signed-in players play a rated game: state, started, ended and the record say so', () => {
    const r = room();
    r.run(create(ALICE, true));
    expect(stateMsg(r.state()!).rated).toBe(true);
    r.run(join(BOB));
    expect(r.events.at(-1)).toMatchObject({ t: 'started', rated: true });
    for (const [o, uci] of [[ALICE, 'e2e4'], [BOB, 'e7e5']] as const) r.run({ t: 'move', origin: o, room: ROOM, uci, ply: r.state()!.moves.length });
    r.run({ t: 'resign', origin: BOB, room: ROOM });
    expect(r.events.at(-1)).toMatchObject({ t: 'ended', result: '1-0', gameId: 'game-1' });
    expect(r.record()).toMatchObject({ gameId: 'game-1', rated: true, result: '1-0' });
    expect(r.record()!.pgn).toContain('[Event "Gambit rated game"]');
  });

  test('a guest or a token bot cannot create a rated room: rated_needs_account, nothing stored', () => {
    for (const who of [GUEST, BOT]) {
      const r = room();
      const d = r.run(create(who, true));
      expect(errorOf(d)).toBe('rated_needs_account');
      expect(r.state()).toBeNull();
    }
  });

  test('a guest cannot join a rated room, which keeps waiting for a signed-in player', () => {
    const r = room();
    r.run(create(ALICE, true));
    const before = structuredClone(r.state());
    expect(errorOf(r.run(join(GUEST)))).toBe('rated_needs_account');
    expect(r.state()).toEqual(before);
    r.run(join(BOB));
    expect(r.state()!.status).toBe('active');
  });

  test('casual rooms (rated absent or false) stay open to guests and carry no rated flag', () => {
    for (const rated of [undefined, false]) {
      const r = room();
      r.run(create(GUEST, rated));
      r.run(join(ALICE));
      r.run({ t: 'abort', origin: GUEST, room: ROOM });
      expect(r.state()!.rated).toBeUndefined();
      expect(stateMsg(r.state()!)).not.toHaveProperty('rated');
      expect(r.events.find((e) => e.t === 'started')).not.toHaveProperty('rated');
      expect(r.record()).not.toHaveProperty('rated');
      expect(r.record()!.pgn).toContain('[Event "Gambit casual game"]');
    }
  });
});
