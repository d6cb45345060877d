// The time-control fields of a form (a preset, or custom minutes + increment), checked in words by
// tc.ts before anything is used: the new-game form and the computer's setup share them. `prefix`
// keeps the element ids of the two forms apart (tc, custom-tc, tc-min, tc-inc, tc-error).
import type { TimeControl } from '@gambit/protocol';
import { useState } from 'preact/hooks';
import { checkPreset, checkTc, TC_PRESETS, type TcCheck } from '../tc.js';

export interface TcField {
  tc: string;
  min: string;
  inc: string;
  problem: string | null;
  set(next: { tc?: string; min?: string; inc?: string }): void;
  /** On submit: the time control, or null with the reason shown under the fields. */
  submit(): TimeControl | null;
}

export function useTcField(initial = '5+0'): TcField {
  const [tc, setTc] = useState(initial);
  const [min, setMin] = useState('5');
  const [inc, setInc] = useState('0');
  const [problem, setProblem] = useState<string | null>(null);
  const read = (v: string, m: string, i: string): TcCheck => (v === 'custom' ? checkTc(m, i) : checkPreset(v));
  return {
    tc, min, inc, problem,
    set(next) {
      const v = next.tc ?? tc;
      const m = next.min ?? min;
      const i = next.inc ?? inc;
      setTc(v);
      setMin(m);
      setInc(i);
      // Once shown, the message follows the fields until it is fixed.
      if (problem === null) return;
      const check = read(v, m, i);
      setProblem(check.ok ? null : check.message);
    },
    submit() {
      const check = read(tc, min, inc);
      setProblem(check.ok ? null : check.message);
      return check.ok ? check.tc : null;
    },
  };
}

export function TcFields({ field, prefix = '' }: { field: TcField; prefix?: string }) {
  const { tc, min, inc, problem } = field;
  return (
    <>
      <label>Time control
        <select id={`${prefix}tc`} data-testid={`${prefix}tc`} value={tc} onChange={(e) => field.set({ tc: e.currentTarget.value })}>
          {TC_PRESETS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
      <div id={`${prefix}custom-tc`} class="row" hidden={tc !== 'custom'}>
        <label>Minutes
          <input id={`${prefix}tc-min`} type="number" min="0" max="180" step="any" value={min} aria-invalid={problem !== null}
            onInput={(e) => field.set({ min: e.currentTarget.value })} />
        </label>
        <label>Increment (s)
          <input id={`${prefix}tc-inc`} type="number" min="0" max="180" step="1" value={inc}
            onInput={(e) => field.set({ inc: e.currentTarget.value })} />
        </label>
      </div>
      <p id={`${prefix}tc-error`} data-testid={`${prefix}tc-error`} class="form-error" role="alert" hidden={problem === null}>{problem ?? ''}</p>
    </>
  );
}
