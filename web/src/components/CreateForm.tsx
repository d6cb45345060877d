// New game: a time control (a preset or custom minutes + increment, checked in words by tc.ts
// before anything is sent), a colour, and rated or casual (rated needs an account: the server
// refuses guests, so the box is off for them). Then either a private room (a code to pass on) or a
// seek in the lobby, open to anyone.
import type { Side } from '@gambit/protocol';
import { useState } from 'preact/hooks';
import { checkPreset, checkTc, type TcCheck } from '../tc.js';
import { useLive } from './live-context.js';

const PRESETS: [string, string][] = [
  ['1+0', '1 + 0 · bullet'], ['3+0', '3 + 0 · blitz'], ['3+2', '3 + 2 · blitz'], ['5+0', '5 + 0 · blitz'],
  ['10+0', '10 + 0 · rapid'], ['15+10', '15 + 10 · rapid'], ['custom', 'Custom…'],
];

export function CreateForm({ enabled }: { enabled: boolean }) {
  const live = useLive();
  const [tc, setTc] = useState('5+0');
  const [min, setMin] = useState('5');
  const [inc, setInc] = useState('0');
  const [color, setColor] = useState<Side | 'random'>('random');
  const [rated, setRated] = useState(false);
  const signedIn = live.identity.me?.kind === 'user';
  const [problem, setProblem] = useState<string | null>(null);

  const read = (v = tc, m = min, i = inc): TcCheck => (v === 'custom' ? checkTc(m, i) : checkPreset(v));
  // Once shown, the message follows the fields until it is fixed.
  const recheck = (v: string, m: string, i: string) => {
    if (problem === null) return;
    const check = read(v, m, i);
    setProblem(check.ok ? null : check.message);
  };

  const submit = (e: Event) => {
    e.preventDefault();
    // Checked before anything else: a time control the server would refuse sends nothing and says why.
    const check = read();
    setProblem(check.ok ? null : check.message);
    if (!check.ok) return;
    const toLobby = (e as SubmitEvent).submitter?.id === 'seek';
    if (toLobby) live.seek(check.tc, color, rated && signedIn);
    else live.create(check.tc, color, rated && signedIn);
  };

  return (
    <form id="create-form" class="card" onSubmit={submit}>
      <h2>New game</h2>
      <label>Time control
        <select id="tc" data-testid="tc" value={tc} onChange={(e) => {
          setTc(e.currentTarget.value);
          recheck(e.currentTarget.value, min, inc);
        }}>
          {PRESETS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
      <div id="custom-tc" class="row" hidden={tc !== 'custom'}>
        <label>Minutes
          <input id="tc-min" type="number" min="0" max="180" step="any" value={min} aria-invalid={problem !== null}
            onInput={(e) => { setMin(e.currentTarget.value); recheck(tc, e.currentTarget.value, inc); }} />
        </label>
        <label>Increment (s)
          <input id="tc-inc" type="number" min="0" max="180" step="1" value={inc}
            onInput={(e) => { setInc(e.currentTarget.value); recheck(tc, min, e.currentTarget.value); }} />
        </label>
      </div>
      <p id="tc-error" data-testid="tc-error" class="form-error" role="alert" hidden={problem === null}>{problem ?? ''}</p>
      <label>Play as
        <select id="color" data-testid="color" value={color} onChange={(e) => setColor(e.currentTarget.value as Side | 'random')}>
          <option value="random">Random</option>
          <option value="white">White</option>
          <option value="black">Black</option>
        </select>
      </label>
      <label class="check" title={signedIn ? 'Ratings change with the result' : 'Sign in to play rated games'}>
        <input id="rated" data-testid="rated" type="checkbox" checked={rated && signedIn} disabled={!signedIn}
          onChange={(e) => setRated(e.currentTarget.checked)} />
        Rated{signedIn ? '' : ' (sign in)'}
      </label>
      <div class="row">
        <button id="create" data-testid="create" type="submit" class="primary" disabled={!enabled} title="A private room: pass its code on">Create game</button>
        <button id="seek" data-testid="seek" type="submit" disabled={!enabled} title="Open to anyone in the lobby">Open to anyone</button>
      </div>
    </form>
  );
}
