// The presence poll against a controlled read: a socket that starts following while a poll's read
// is out is left to its own answer (it was once sent an empty list: "no friends online" for a
// moment, seen by the friends test on a loaded machine), and followers polled get each change once.
import { describe, expect, test } from '@jest/globals';
import type { RedisClient } from '@gambit/common';
import { createLogger, keys } from '@gambit/common';
import type { FriendsMsg } from '@gambit/protocol';
import { Presence } from './presence.js';

type Online = FriendsMsg['online'];

/** A Presence whose Redis reads are answered by the test, one promise per read. */
function presence() {
  const p = new Presence({} as RedisClient, keys('t'), createLogger('test', 'silent'), 60_000);
  const reads: { players: string[]; answer: (m: Map<string, Online>) => void }[] = [];
  (p as unknown as { read: (players: string[]) => Promise<Map<string, Online>> }).read = (players) =>
    new Promise((resolve) => reads.push({ players, answer: resolve }));
  const poll = () => (p as unknown as { poll: () => Promise<void> }).poll();
  return { p, reads, poll };
}

const follower = () => {
  const got: FriendsMsg[] = [];
  return { got, send: (m: FriendsMsg) => void got.push(m) };
};

describe('Presence', () => {
  test('a socket that follows while a poll reads gets its own answer only, then each change', async () => {
    const { p, reads, poll } = presence();
    const amy = follower();
    const following = p.follow(amy, 'amy');
    reads[0]!.answer(new Map([['amy', [{ playerId: 'bob' }]]]));
    await following;

    const polling = poll(); // reads amy's friends...
    const xia = follower();
    const xiaFollows = p.follow(xia, 'xia'); // ...while xia starts following
    reads[2]!.answer(new Map([['xia', [{ playerId: 'yan' }]]]));
    await xiaFollows;
    reads[1]!.answer(new Map([['amy', []]])); // bob went offline; the poll knew nothing of xia
    await polling;
    expect(reads[1]!.players).toEqual(['amy']);
    expect(amy.got).toEqual([{ t: 'friends', online: [{ playerId: 'bob' }] }, { t: 'friends', online: [] }]);
    expect(xia.got).toEqual([{ t: 'friends', online: [{ playerId: 'yan' }] }]);

    const next = poll(); // the next poll reads both; nothing changed for either
    reads[3]!.answer(new Map([['amy', []], ['xia', [{ playerId: 'yan' }]]]));
    await next;
    expect(reads[3]!.players.sort()).toEqual(['amy', 'xia']);
    expect([amy.got.length, xia.got.length]).toEqual([2, 1]);
  });
});
