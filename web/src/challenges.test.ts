// The page's challenge lists from server messages alone: sent, received, gone (either way), the
// full list after a reconnect, a refusal that drops a challenge the server no longer has, a lapse
// nobody announces, presence only while followed, and the time control `paired` needs.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import type { ChallengeView, ClientFrame } from '@gambit/protocol';
import { Challenges, isChallengeMsg } from './challenges.js';
import { ServerClock } from './clock.js';
import { toastMessage } from './toast.js';

const ada = { playerId: 'u_ada', name: 'ada' };
const ben = { playerId: 'u_ben', name: 'ben' };
const tc = { initialMs: 300_000, incrementMs: 3_000 };
const TTL = 10 * 60_000;
const view = (id: string, from = ada, to = ben, since = Date.now()): ChallengeView => ({ id, from, to, tc, color: 'random', rated: true, since, until: since + TTL });

function setup(kind: 'user' | 'guest' = 'user') {
  const sent: ClientFrame[] = [];
  let n = 0;
  const host = {
    send: (f: ClientFrame) => (sent.push(f), true),
    conn: { send: (f: ClientFrame) => (sent.push(f), true) },
    frameId: (k: string) => `${k}-${++n}`,
    render: () => undefined,
    identity: { me: { kind, playerId: kind === 'user' ? 'u_ben' : 'g_x', name: 'ben' } },
    serverClock: new ServerClock(),
  };
  return { c: new Challenges(host as unknown as ConstructorParameters<typeof Challenges>[0]), sent };
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('challenges in the page', () => {
  test('which messages are ours', () => {
    expect(isChallengeMsg({ t: 'challenge_gone', challenge: 'x', reason: 'declined' })).toBe(true);
    expect(isChallengeMsg({ t: 'pong', serverTime: 0 })).toBe(false);
  });

  test('received, sent, gone; a decline of ours is news, our own cancel is not', () => {
    const { c } = setup();
    c.handle({ t: 'challenge_received', challenge: view('in-1') });
    c.handle({ t: 'challenge_sent', challenge: view('out-1', ben, ada) });
    c.handle({ t: 'challenge_sent', challenge: view('out-1', ben, ada) }); // the answer and the event: once
    expect(c.incoming.map((x) => x.id)).toEqual(['in-1']);
    expect(c.outgoing.map((x) => x.id)).toEqual(['out-1']);
    expect(c.to('u_ada')?.id).toBe('out-1');
    c.handle({ t: 'challenge_gone', challenge: 'out-1', reason: 'declined' });
    expect(c.outgoing).toEqual([]);
    expect(toastMessage()).toBe('ada declined your challenge');
    c.handle({ t: 'challenge_gone', challenge: 'in-1', reason: 'canceled' });
    expect(c.incoming).toEqual([]);
    expect(toastMessage()).toBe('ada withdrew the challenge');
  });

  test('a new socket asks for the lists (signed in only) and takes them whole', () => {
    const { c, sent } = setup();
    c.handle({ t: 'challenge_received', challenge: view('old') });
    c.welcomed();
    expect(sent.map((f) => f.t)).toEqual(['challenges']);
    c.handle({ t: 'challenges', incoming: [view('b', ada, ben, 2), view('a', ada, ben, 1)], outgoing: [] });
    expect(c.incoming.map((x) => x.id)).toEqual(['a', 'b']);
    const guest = setup('guest');
    guest.c.welcomed();
    expect(guest.sent).toEqual([]);
  });

  test('a refused accept drops a challenge that is gone; an unannounced lapse drops it too', () => {
    const { c, sent } = setup();
    c.handle({ t: 'challenge_received', challenge: view('gone') });
    c.accept('gone');
    const id = sent.at(-1)!.id!;
    c.failed({ t: 'error', id, code: 'challenge_not_found', message: '' });
    expect(c.incoming).toEqual([]);
    c.handle({ t: 'challenge_received', challenge: view('lapses') });
    jest.advanceTimersByTime(TTL - 1_000);
    expect(c.incoming).toHaveLength(1);
    jest.advanceTimersByTime(2_000);
    expect(c.incoming).toEqual([]);
  });

  test('presence only while followed; paired gives the time control even after the challenge went', () => {
    const { c, sent } = setup();
    c.handle({ t: 'friends', online: [{ playerId: 'u_ada' }] });
    expect(c.presence).toBeNull();
    c.follow();
    c.handle({ t: 'friends', online: [{ playerId: 'u_ada', playing: 'ABCDEFGH' }] });
    expect(c.presence?.get('u_ada')).toEqual({ playing: 'ABCDEFGH' });
    c.unfollow();
    expect(c.presence).toBeNull();
    expect(sent).toEqual([{ t: 'friends', id: 'friends-1' }, { t: 'friends', on: false }]);
    c.handle({ t: 'challenge_sent', challenge: view('won', ben, ada) });
    c.handle({ t: 'challenge_gone', challenge: 'won', reason: 'accepted' });
    expect(c.paired('won')).toEqual(tc);
  });
});
