// The first-move timer, as on lichess: until both sides have moved, the side to move sees how long
// it has left before the server aborts the game (the limits by speed are in @gambit/protocol).
import { firstMoveDeadline } from '@gambit/protocol/first-move';
import { useRef } from 'preact/hooks';
import { turn } from '../game.js';
import { useFrame } from '../hooks.js';
import { useLive } from './live-context.js';

export function FirstMoveTimer() {
  const live = useLive();
  const el = useRef<HTMLParagraphElement>(null);
  useFrame(() => {
    const v = live.view;
    const p = el.current;
    if (!p) return;
    const deadline = v.clock && v.tc ? firstMoveDeadline({ status: v.status, moves: v.moves, clock: v.clock, tc: v.tc }) : null;
    p.hidden = deadline === null;
    if (deadline === null) return;
    const left = Math.max(0, Math.ceil((deadline - live.serverClock.now()) / 1000));
    const side = turn(v);
    const text = side === v.color
      ? `Make your first move within ${left} s, or the game is aborted`
      : `${side === 'white' ? 'White' : 'Black'} must make a first move within ${left} s`;
    if (p.textContent !== text) p.textContent = text;
  });
  return <p id="first-move" data-testid="first-move" class="muted first-move" hidden ref={el} />;
}
