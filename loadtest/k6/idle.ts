// Idle capacity against a real deployment: CONNECTIONS authenticated sockets that only answer the
// gateway's WebSocket pings, held for HOLD_S seconds. Watch the gateway pods' memory while it runs
// (kubectl top pod, or container_memory_working_set_bytes) and divide by the connections per pod.
//
//   k6 run -e BASE_URL=https://chess.example.com -e CONNECTIONS=20000 -e HOLD_S=120 loadtest/k6/idle.ts
//
// One k6 process opens at most ~28,000 sockets from one source address (ephemeral ports): run
// several k6 instances (or pods) for more.
import { WebSocket } from 'k6/websockets';
import { setTimeout } from 'k6/timers';
import { Counter } from 'k6/metrics';
import exec from 'k6/execution';
import { WS_URL, guestToken, num, parse } from './lib.ts';

const CONNECTIONS = num('CONNECTIONS', 1000);
const HOLD_S = num('HOLD_S', 60);
/** Players: sockets beyond this share tokens (a player may hold several sockets). */
const PLAYERS = num('PLAYERS', Math.min(CONNECTIONS, 1000));

export const options = {
  scenarios: {
    idle: {
      executor: 'per-vu-iterations', vus: CONNECTIONS, iterations: 1,
      maxDuration: `${HOLD_S + num('RAMP_S', 120)}s`, gracefulStop: '30s',
    },
  },
  thresholds: {
    idle_welcomed: [`count>=${CONNECTIONS}`],
    idle_dropped: ['count==0'],
  },
};

const welcomed = new Counter('idle_welcomed');
const dropped = new Counter('idle_dropped');

export function setup(): { tokens: string[] } {
  const tokens: string[] = [];
  for (let i = 0; i < PLAYERS; i++) {
    const t = guestToken(`k6-idle-${i}`);
    if (t) tokens.push(t);
  }
  return { tokens };
}

export default function (data: { tokens: string[] }): void {
  const token = data.tokens[exec.vu.idInTest % data.tokens.length];
  const ws = new WebSocket(WS_URL);
  let done = false;
  ws.onopen = () => ws.send(JSON.stringify({ t: 'hello', id: 'h', token }));
  ws.onmessage = (e) => {
    const m = parse(e?.data);
    if (m?.t === 'welcome') {
      welcomed.add(1);
      // Hold: the gateway pings every HEARTBEAT_MS; k6 answers pings by itself.
      setTimeout(() => {
        done = true;
        ws.close();
      }, HOLD_S * 1000);
    }
  };
  ws.onclose = () => {
    if (!done) dropped.add(1);
  };
}
