// First, back, forward, last: the same steps as the arrow keys (replay.ts).
import { step, type Step } from '../replay.js';

const BUTTONS: [Step, string, string][] = [
  // Plain characters every system font has (the media-control symbols are missing from some).
  ['first', '«', 'First position'], ['back', '‹', 'Previous move'], ['forward', '›', 'Next move'], ['last', '»', 'Last position'],
];

export function ReplayControls({ ply, total, onPly }: { ply: number; total: number; onPly(ply: number): void }) {
  return (
    <div class="replay-controls" role="group" aria-label="Step through the game">
      {BUTTONS.map(([how, icon, label]) => {
        const to = step(ply, how, total);
        return (
          <button key={how} id={`replay-${how}`} data-testid={`replay-${how}`} type="button" title={label} aria-label={label}
            disabled={to === ply} onClick={() => onPly(to)}>{icon}</button>
        );
      })}
    </div>
  );
}
