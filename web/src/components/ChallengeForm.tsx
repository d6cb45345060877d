// The terms of a challenge to one online friend: a time control (the quick-pairing pools, or
// custom minutes + increment checked in words by tc.ts, as the new-game form does), the colour the
// challenger plays, rated or casual (both are signed in: only accounts have friends). Send hands it
// to the server; the Friends screen closes the form once the challenge stands.
import type { Side } from '@gambit/protocol';
import { POOL_IDS, poolTimeControl } from '@gambit/protocol/pools';
import { speedOf } from '@gambit/protocol/speed';
import { useState } from 'preact/hooks';
import { tcLabel } from '../format.js';
import { checkPreset, checkTc, type TcCheck } from '../tc.js';
import { useLive } from './live-context.js';

export function ChallengeForm({ to, name, onClose }: { to: string; name: string; onClose: () => void }) {
  const live = useLive();
  const [tc, setTc] = useState('5+3');
  const [min, setMin] = useState('5');
  const [inc, setInc] = useState('3');
  const [color, setColor] = useState<Side | 'random'>('random');
  const [rated, setRated] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const read = (): TcCheck => (tc === 'custom' ? checkTc(min, inc) : checkPreset(tc));

  return (
    <form class="challenge-form" data-testid="challenge-form" aria-label={`Challenge ${name}`} onSubmit={(e) => {
      e.preventDefault();
      const check = read();
      setProblem(check.ok ? null : check.message);
      if (check.ok) live.challenges.challenge(to, check.tc, color, rated);
    }}>
      <div class="row">
        <label>Time control
          <select data-testid="challenge-tc" value={tc} onChange={(e) => setTc(e.currentTarget.value)}>
            {POOL_IDS.map((id) => <option key={id} value={id}>{tcLabel(poolTimeControl(id))} · {speedOf(poolTimeControl(id))}</option>)}
            <option value="custom">Custom…</option>
          </select>
        </label>
        <label>You play
          <select data-testid="challenge-color" value={color} onChange={(e) => setColor(e.currentTarget.value as Side | 'random')}>
            <option value="random">Random</option>
            <option value="white">White</option>
            <option value="black">Black</option>
          </select>
        </label>
      </div>
      <div class="row" hidden={tc !== 'custom'}>
        <label>Minutes
          <input type="number" data-testid="challenge-min" min="0" max="180" step="any" value={min} onInput={(e) => setMin(e.currentTarget.value)} />
        </label>
        <label>Increment (s)
          <input type="number" data-testid="challenge-inc" min="0" max="180" step="1" value={inc} onInput={(e) => setInc(e.currentTarget.value)} />
        </label>
      </div>
      <p class="form-error" role="alert" data-testid="challenge-error" hidden={problem === null}>{problem ?? ''}</p>
      <label class="check" title="Ratings change with the result">
        <input type="checkbox" data-testid="challenge-rated" checked={rated} onChange={(e) => setRated(e.currentTarget.checked)} />
        Rated
      </label>
      <div class="row">
        <button type="submit" class="primary" data-testid="challenge-send" disabled={!live.online}>Send challenge</button>
        <button type="button" data-testid="challenge-close" onClick={onClose}>Close</button>
      </div>
    </form>
  );
}
