// Rematches without Redis: a room driven through decide() past the end of its first game.
import { describe, expect, test } from '@jest/globals';
import type { GameRecord, Origin, RoomEvent } from '@gambit/protocol';
import { decide, type Command, type Decision } from './decide.js';
import { replay } from './chess.js';
import { START_FEN, stateMsg, upgradeState, type RoomState } from './state.js';

const W: Origin = { gw: 'gw1', conn: 'c1', playerId: 'pw', name: 'White' };
const B: Origin = { gw: 'gw2', conn: 'c2', playerId: 'pb', name: 'Black' };
const X: Origin = { gw: 'gw1', conn: 'c3', playerId: 'px', name: 'Stranger' };
const ROOM = 'ABCDEFGH';
const MATE = ['f2f3', 'e7e5', 'g2g4', 'd8h4']; // Black mates

/** A room driven through decide(), keeping state like the store would. */
class Room {
  state: RoomState | null = null;
  now = 1_000_000;
  events: RoomEvent[] = [];
  records: GameRecord[] = [];
  private n = 0;
  private ids = 0;
  readonly tc = { initialMs: 60_000, incrementMs: 2_000 };

  run(cmd: Command, cmdId = `cmd-${++this.n}`): Decision {
    const d = decide(this.state, cmd, {
      now: this.now, cmdId, graceMs: 12_000, newGameId: () => `game-${++this.ids}`, coin: () => true,
      game: () => replay(this.state?.moves ?? []),
    }, ROOM);
    if (d.kind === 'commit') {
      if (d.state !== undefined) this.state = d.state;
      this.events.push(...d.events);
      if (d.finalize) this.records.push(d.finalize);
    }
    return d;
  }
  rematch(o: Origin, action?: 'offer' | 'accept' | 'decline', cmdId?: string): Decision {
    return this.run({ t: 'rematch', origin: o, room: ROOM, action: action ?? 'offer' }, cmdId);
  }
  /** Plays UCI moves, the side to move taken from the seats (they swap between games). */
  play(...ucis: string[]): void {
    for (const uci of ucis) {
      const s = this.state!;
      const mover = (s.moves.length % 2 === 0 ? s.white : s.black)!.playerId === W.playerId ? W : B;
      const d = this.run({ t: 'move', origin: mover, room: ROOM, uci, ply: s.moves.length });
      if (d.kind !== 'commit') throw new Error(`${uci}: ${JSON.stringify(d)}`);
    }
  }
  /** W creates as white, B joins, Black mates: the first game is over, 0-1. */
  firstGameOver(): this {
    this.run({ t: 'create', origin: W, tc: this.tc, color: 'white' });
    this.run({ t: 'join', origin: B, room: ROOM });
    this.play(...MATE);
    return this;
  }
  last(): RoomEvent | undefined { return this.events[this.events.length - 1]; }
}

const errorOf = (d: Decision) => (d.kind === 'reply' && d.replies[0]?.msg.t === 'error' ? d.replies[0].msg.code : null);

describe('rematch', () => {
  test('an offer and a second offer from the other player start the next game, colours swapped', () => {
    const r = new Room().firstGameOver();
    expect(r.last()).toMatchObject({ t: 'ended', result: '0-1', series: { game: 1, score: { pw: 0, pb: 1 } } });
    r.now += 5_000;
    r.rematch(W);
    expect(r.last()).toMatchObject({ t: 'rematch_offered', room: ROOM, by: 'white' });
    expect(stateMsg(r.state!)).toMatchObject({ status: 'ended', rematchOffer: 'white' });
    r.rematch(B);
    const started = r.last();
    expect(started).toMatchObject({
      t: 'started', white: { playerId: 'pb' }, black: { playerId: 'pw' }, fen: START_FEN,
      clock: { white: 60_000, black: 60_000, running: 'white', at: r.now }, series: { game: 2, score: { pw: 0, pb: 1 } },
    });
    const s = r.state!;
    expect(s).toMatchObject({
      status: 'active', gameId: 'game-2', tc: r.tc, moves: [], san: [], fen: START_FEN, clockHistory: [], result: null,
      reason: null, pgn: null, endedAt: null, startedAt: r.now, rematchOffer: null, drawOffer: null,
    });
    // The second game is its own record, with the new id and the swapped seats.
    r.play(...MATE);
    expect(r.records.map((g) => [g.gameId, g.white.playerId, g.result])).toEqual([['game-1', 'pw', '0-1'], ['game-2', 'pb', '0-1']]);
    expect(r.records[1]!.uci).toEqual(MATE);
    expect(r.last()).toMatchObject({ t: 'ended', series: { game: 2, score: { pw: 1, pb: 1 } } });
  });

  test('an explicit accept agrees; seq keeps growing across games', () => {
    const r = new Room().firstGameOver();
    const seq = r.state!.seq;
    r.rematch(B);
    r.rematch(W, 'accept');
    expect(r.events.slice(-2)).toMatchObject([{ t: 'rematch_offered', seq: seq + 1, by: 'black' }, { t: 'started', seq: seq + 2 }]);
    expect(r.state!.white!.playerId).toBe('pb');
  });

  test('decline ends the offer; a new offer is possible after it', () => {
    const r = new Room().firstGameOver();
    r.rematch(W);
    r.rematch(B, 'decline');
    expect(r.last()).toMatchObject({ t: 'rematch_declined', by: 'black', reason: 'declined' });
    expect(r.state!.rematchOffer).toBeNull();
    r.rematch(B);
    expect(r.last()).toMatchObject({ t: 'rematch_offered', by: 'black' });
  });

  test('a player leaving withdraws the offer, and no rematch is possible after', () => {
    const r = new Room().firstGameOver();
    r.rematch(W);
    const d = r.run({ t: 'leave', origin: B, room: ROOM });
    expect(d.kind === 'commit' && d.replies[0]).toMatchObject({ unsub: ROOM, msg: { t: 'state' } });
    expect(r.last()).toMatchObject({ t: 'rematch_declined', by: 'black', reason: 'left' });
    expect(errorOf(r.rematch(W))).toBe('opponent_left');
    expect(errorOf(r.rematch(B))).toBe('not_a_player');
  });

  test('an aborted game scores nothing but counts as a game', () => {
    const r = new Room();
    r.run({ t: 'create', origin: W, tc: r.tc, color: 'white' });
    r.run({ t: 'join', origin: B, room: ROOM });
    r.run({ t: 'abort', origin: W, room: ROOM });
    r.rematch(W);
    r.rematch(B);
    expect(r.last()).toMatchObject({ t: 'started', series: { game: 2, score: { pw: 0, pb: 0 } } });
  });

  test('a draw gives half a point each', () => {
    const r = new Room().firstGameOver();
    r.rematch(W);
    r.rematch(B);
    r.run({ t: 'draw', origin: B, room: ROOM, action: 'offer' });
    r.run({ t: 'draw', origin: W, room: ROOM, action: 'accept' });
    expect(r.last()).toMatchObject({ t: 'ended', series: { game: 2, score: { pw: 0.5, pb: 1.5 } } });
  });
});

describe('rematch: bad input changes nothing', () => {
  const none = () => undefined;
  const refusals: [string, (r: Room) => unknown, (r: Room) => Decision, string][] = [
    ['from someone without a seat', none, (r) => r.rematch(X), 'not_a_player'],
    ['twice', (r) => r.rematch(W), (r) => r.rematch(W), 'already_offered'],
    ['accept without an offer', none, (r) => r.rematch(B, 'accept'), 'no_offer'],
    ["decline of one's own offer", (r) => r.rematch(W), (r) => r.rematch(W, 'decline'), 'no_offer'],
    ['after the opponent left', (r) => r.run({ t: 'leave', origin: B, room: ROOM }), (r) => r.rematch(W), 'opponent_left'],
  ];
  test.each(refusals)('%s', (_name, setup, act, code) => {
    const r = new Room().firstGameOver();
    setup(r);
    const before = r.state;
    const events = r.events.length;
    expect(errorOf(act(r))).toBe(code);
    expect(r.state).toBe(before); // a refusal is an answer only: the stored room is not replaced
    expect(r.events).toHaveLength(events);
  });

  test('before the game ended: waiting and in play', () => {
    const r = new Room();
    r.run({ t: 'create', origin: W, tc: r.tc, color: 'white' });
    expect(errorOf(r.rematch(W))).toBe('game_not_over');
    r.run({ t: 'join', origin: B, room: ROOM });
    const before = r.state;
    expect(errorOf(r.rematch(B))).toBe('game_not_over');
    expect(r.state).toBe(before);
  });

  test('a redelivered accept has no second effect', () => {
    const r = new Room().firstGameOver();
    r.rematch(W);
    r.rematch(B, 'offer', 'dup-1');
    const s = r.state;
    const d = r.rematch(B, 'offer', 'dup-1');
    expect(d).toEqual({ kind: 'reply', replies: [] });
    expect(r.state).toBe(s);
  });

  test('a refused rematch is answered with the frame id, to that socket only', () => {
    const r = new Room().firstGameOver();
    const d = r.rematch({ ...X, id: 'r1' });
    expect(d).toEqual({ kind: 'reply', replies: [{ gw: 'gw1', conn: 'c3', msg: { t: 'error', id: 'r1', code: 'not_a_player', message: expect.any(String) } }] });
  });
});

describe('rematch: seats and presence', () => {
  test('a player whose sockets closed after offering gets a grace in the next game', () => {
    const r = new Room().firstGameOver();
    r.rematch(W);
    r.run({ t: 'disconnect', origin: W, room: ROOM });
    expect(r.state!.white!.conns).toEqual([]);
    r.rematch(B);
    // W plays Black now; its seat starts the game away, with a grace like any drop.
    expect(r.events.slice(-2)).toMatchObject([{ t: 'started' }, { t: 'presence', color: 'black', connected: false, graceMs: 12_000 }]);
    expect(r.state!.black!.graceUntil).toBe(r.now + 12_000);
    expect(r.state!.white!.graceUntil).toBeNull();
  });

  test('the socket that sends rematch joins its seat (a reloaded page watching the finished game)', () => {
    const r = new Room().firstGameOver();
    r.run({ t: 'disconnect', origin: W, room: ROOM });
    const again = { ...W, conn: 'c9' };
    r.rematch(again);
    r.rematch(B);
    expect(r.state!.black!.conns).toEqual(['gw1/c9']);
    expect(r.last()!.t).toBe('started');
  });

  test('presence versions continue above both seats after the swap', () => {
    const r = new Room().firstGameOver();
    r.state!.white!.reconnectVersion = 5; // White dropped and came back a few times in game 1
    r.rematch(W);
    r.rematch(B);
    expect(r.state!.white!.reconnectVersion).toBe(6);
    expect(r.state!.black!.reconnectVersion).toBe(6);
  });

  test('state shows the series once the game started, and the standing offer after the end', () => {
    const r = new Room();
    r.run({ t: 'create', origin: W, tc: r.tc, color: 'white' });
    expect(stateMsg(r.state!).series).toBeUndefined();
    r.run({ t: 'join', origin: B, room: ROOM });
    expect(stateMsg(r.state!)).toMatchObject({ series: { game: 1, score: {} } });
    expect(stateMsg(r.state!).rematchOffer).toBeUndefined();
  });

  test('a room stored before rematches reads as its first game', () => {
    const r = new Room().firstGameOver();
    const old = JSON.parse(JSON.stringify(r.state)) as Partial<RoomState>;
    delete old.series;
    delete old.rematchOffer;
    expect(upgradeState(old as RoomState)).toMatchObject({ series: { game: 1, score: {} }, rematchOffer: null });
  });
});

describe('rematch: the room keeps its settings', () => {
  test('a rated room stays rated: the next started and record say so', () => {
    const r = new Room().firstGameOver();
    r.state!.rated = true; // as a rated create leaves it (signed-in players: the ratings rules)
    r.rematch(W);
    r.rematch(B);
    expect(r.last()).toMatchObject({ t: 'started', rated: true });
    r.play(...MATE);
    expect(r.records[1]).toMatchObject({ gameId: 'game-2', rated: true });
  });
});
