// The quick-pairing pools: lichess's one-click time controls, each rated or casual. The id is the
// time control as players write it (minutes + seconds of increment).
import type { TimeControl } from './client.js';

export const POOL_IDS = ['1+0', '2+1', '3+0', '3+2', '5+0', '5+3', '10+0', '10+5', '15+10'] as const;
export type PoolId = (typeof POOL_IDS)[number];

/** The time control of a pool: "3+2" is 3 minutes and 2 seconds a move. */
export function poolTimeControl(id: PoolId): TimeControl {
  const [minutes, seconds] = id.split('+').map(Number) as [number, number];
  return { initialMs: minutes * 60_000, incrementMs: seconds * 1000 };
}
