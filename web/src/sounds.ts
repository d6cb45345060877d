// Sounds for the live game, driven by what the server says (seed 001's server-driven cues): the
// `moved` event's `kind` and `check` pick move, capture, castle or check; `ended` plays the end;
// our clock under a threshold plays low time once a game. Synthesised with Web Audio (no files to
// fetch); off or on per browser (localStorage). `cueOf` and `lowTimeMs` are pure and tested.
import type { ServerMsg, TimeControl } from '@gambit/protocol';

export type Cue = 'move' | 'capture' | 'castle' | 'check' | 'lowtime' | 'end';

/** The cue for a room event, or null. Check outranks the kind of move, as on lichess. */
export function cueOf(msg: ServerMsg): Cue | null {
  if (msg.t === 'ended') return 'end';
  if (msg.t !== 'moved') return null;
  if (msg.check) return 'check';
  if (msg.kind === 'castle') return 'castle';
  if (msg.kind === 'capture' || msg.kind === 'en_passant') return 'capture';
  return 'move';
}

/** Our clock below this plays low time: a tenth of the initial time, between 10 and 60 seconds. */
export function lowTimeMs(tc: TimeControl): number {
  return Math.min(60_000, Math.max(10_000, tc.initialMs / 10));
}

// Each cue as tones: [frequency Hz, start s, length s, wave]. Short and distinct; the end is a chord.
type Tone = [number, number, number, OscillatorType];
const TONES: Record<Cue, Tone[]> = {
  move: [[520, 0, 0.07, 'triangle']],
  capture: [[330, 0, 0.05, 'square'], [260, 0.05, 0.08, 'square']],
  castle: [[520, 0, 0.06, 'triangle'], [440, 0.09, 0.07, 'triangle']],
  check: [[880, 0, 0.08, 'sine'], [1175, 0.1, 0.12, 'sine']],
  lowtime: [[1000, 0, 0.06, 'sine'], [1000, 0.12, 0.06, 'sine'], [1000, 0.24, 0.06, 'sine']],
  end: [[523, 0, 0.45, 'sine'], [659, 0, 0.45, 'sine'], [784, 0, 0.45, 'sine']],
};
const KEY = 'gambit.sound';

export class Sounds {
  private ctx: AudioContext | null = null;
  private lastAt = 0;
  private readonly listeners = new Set<() => void>();
  on: boolean;

  constructor() {
    this.on = readSetting() !== 'off';
    // Browsers start audio only after a gesture: the first click or key on the page unlocks it.
    const unlock = () => void this.context()?.resume().catch(() => undefined);
    addEventListener('pointerdown', unlock, { capture: true });
    addEventListener('keydown', unlock, { capture: true });
  }

  setOn(on: boolean): void {
    this.on = on;
    try {
      localStorage.setItem(KEY, on ? 'on' : 'off');
    } catch { /* private mode: the switch holds for this page only */ }
    for (const fn of this.listeners) fn();
  }

  /** (A stable function: screens pass it to useSubscription.) */
  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /**
   * Called a few times a second with our remaining time in the game `game` (room and game number):
   * low time plays once when it first drops under the threshold.
   */
  watchClock(game: string, leftMs: number, tc: TimeControl): void {
    const low = leftMs < lowTimeMs(tc);
    if (this.seen !== game) {
      // The first reading of a game (its start, a reload): already low says nothing, since the
      // warning is for crossing the line (a game under 10 s, a page reloaded with 5 s left).
      this.seen = game;
      if (low) this.lowFor = game;
      return;
    }
    if (!low || this.lowFor === game) return;
    this.lowFor = game;
    if (leftMs > 0) this.play('lowtime');
  }
  private seen: string | null = null;
  private lowFor: string | null = null;

  play(cue: Cue): void {
    if (!this.on) return;
    const ctx = this.context();
    if (!ctx) return;
    // A burst of events (a resume replaying moves) is one sound, not a rattle.
    const now = performance.now();
    if (now - this.lastAt < 40 && cue !== 'end') return;
    this.lastAt = now;
    const t0 = ctx.currentTime;
    for (const [freq, start, length, wave] of TONES[cue]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = wave;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t0 + start);
      gain.gain.exponentialRampToValueAtTime(0.2, t0 + start + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + start + length);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + start);
      osc.stop(t0 + start + length + 0.02);
    }
  }

  private context(): AudioContext | null {
    if (this.ctx) return this.ctx;
    if (typeof AudioContext !== 'function') return null;
    try {
      this.ctx = new AudioContext();
    } catch {
      return null;
    }
    return this.ctx;
  }
}

function readSetting(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}
