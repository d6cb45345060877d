// The move workload against a real deployment: each VU is a pair of players (two sockets) playing
// the seeded games back to back, each side thinking THINK_MS (with jitter) before every move.
// move_latency is the time from one side's `move` frame to the other side's `moved`, as in
// `make bench`. Offered load = PAIRS * 1000 / THINK_MS moves/s.
//
//   k6 run -e BASE_URL=https://chess.example.com -e PAIRS=500 -e THINK_MS=1000 -e DURATION=5m loadtest/k6/moves.ts
//
// Thresholds are the floors of the benchmark issue (p50 <= 2 ms, p99 <= 40 ms, no errors); across
// a network add its round trip (P50_MS / P99_MS override them).
import { WebSocket } from 'k6/websockets';
import { setTimeout, clearTimeout } from 'k6/timers';
import { Counter, Trend } from 'k6/metrics';
import exec from 'k6/execution';
import { GAMES, WS_URL, guestToken, num, parse, think, type ServerMsg } from './lib.ts';

const PAIRS = num('PAIRS', 100);
const THINK_MS = num('THINK_MS', 1000);
const GAMES_PER_SESSION = num('GAMES_PER_SESSION', 3);
const TC = { initialMs: num('INITIAL_MS', 600_000), incrementMs: num('INCREMENT_MS', 5_000) };

export const options = {
  scenarios: {
    pairs: { executor: 'constant-vus', vus: PAIRS, duration: __ENV.DURATION || '2m', gracefulStop: '30s' },
  },
  thresholds: {
    move_latency: [`p(50)<=${num('P50_MS', 2)}`, `p(99)<=${num('P99_MS', 40)}`],
    game_errors: ['count==0'],
    moves: [`rate>=${0.9 * (PAIRS * 1000) / THINK_MS}`],
  },
};

const moveLatency = new Trend('move_latency', true);
const gameStart = new Trend('game_start', true);
const moves = new Counter('moves');
const gamesEnded = new Counter('games_ended');
const gameErrors = new Counter('game_errors');

export function setup(): { pairs: number; offered: number } {
  return { pairs: PAIRS, offered: (PAIRS * 1000) / THINK_MS };
}

/** One session: two players connect, say hello, and play GAMES_PER_SESSION games; then both close. */
export default function (): void {
  const names = [`k6-${exec.vu.idInTest}-w`, `k6-${exec.vu.idInTest}-b`];
  const tokens = names.map((n) => guestToken(n));
  if (tokens.some((t) => t === null)) {
    gameErrors.add(1, { code: 'guest' });
    return;
  }
  const sockets = [new WebSocket(WS_URL), new WebSocket(WS_URL)];
  let welcomed = 0;
  let room = '';
  let seq: string[] = [];
  let end = 'resign';
  let ply = 0;
  let sentAt = 0;
  let played = 0;
  let startedAt = 0;
  let startedSeen = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;

  const send = (side: number, frame: object) => sockets[side]!.send(JSON.stringify(frame));
  const closeAll = () => {
    if (timer !== undefined) clearTimeout(timer);
    if (watchdog !== undefined) clearTimeout(watchdog);
    for (const s of sockets) s.close();
  };
  const arm = () => {
    if (watchdog !== undefined) clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      gameErrors.add(1, { code: 'stalled' });
      closeAll();
    }, 15_000 + 3 * THINK_MS);
  };
  const newGame = () => {
    if (played >= GAMES_PER_SESSION) return closeAll();
    const g = GAMES[(exec.vu.idInTest * 7 + exec.vu.iterationInScenario * 31 + played * 13) % GAMES.length]!;
    seq = g.moves.split(' ');
    end = g.end;
    ply = 0;
    startedSeen = 0;
    startedAt = Date.now();
    send(0, { t: 'create', id: 'c', tc: TC, color: 'white' });
    arm();
  };
  const next = () => {
    const side = ply % 2;
    if (ply >= seq.length) {
      if (end === 'resign') send(side, { t: 'resign', room });
      return;
    }
    sentAt = Date.now();
    send(side, { t: 'move', room, uci: seq[ply], ply });
  };
  const onMessage = (side: number, m: ServerMsg) => {
    switch (m.t) {
      case 'welcome':
        if (++welcomed === 2) newGame();
        break;
      case 'created':
        room = String(m.room);
        send(1, { t: 'join', id: 'j', room });
        break;
      case 'started':
        if (m.room === room && ++startedSeen === 2) {
          gameStart.add(Date.now() - startedAt);
          timer = setTimeout(next, think(THINK_MS));
        }
        break;
      case 'moved': {
        if (m.room !== room || m.ply !== ply + 1 || side === (ply % 2)) break; // the mover's own copy
        moveLatency.add(Date.now() - sentAt);
        moves.add(1);
        ply += 1;
        arm();
        if (ply < seq.length || end === 'resign') timer = setTimeout(next, think(THINK_MS));
        break;
      }
      case 'ended':
        if (m.room === room && side === 0) {
          gamesEnded.add(1);
          played += 1;
          timer = setTimeout(newGame, think(THINK_MS));
        }
        break;
      case 'error':
        gameErrors.add(1, { code: String(m.code) });
        closeAll();
        break;
    }
  };
  sockets.forEach((ws, side) => {
    ws.onopen = () => ws.send(JSON.stringify({ t: 'hello', id: 'h', token: tokens[side] }));
    ws.onmessage = (e) => {
      const m = parse(e?.data);
      if (m) onMessage(side, m);
    };
    ws.onerror = () => {
      gameErrors.add(1, { code: 'socket' });
      closeAll();
    };
  });
}
