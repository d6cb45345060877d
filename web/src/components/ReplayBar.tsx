// A player's bar on the replay board: name and the clock as it stood at the shown ply.
import type { Side } from '@gambit/protocol';
import { formatClock } from '../clock.js';

export function ReplayBar({ side, name, ms, toMove }: { side: Side; name: string; ms: number; toMove: boolean }) {
  return (
    <div id={`replay-player-${side}`} class={`player${toMove ? ' running' : ''}`} data-side={side}>
      <span class="name">{name}</span>
      <span id={`replay-clock-${side}`} data-testid={`replay-clock-${side}`} class="clock">{formatClock(ms)}</span>
    </div>
  );
}
