// One player's bar on the live board: name, series points in this room (after a first result),
// presence (with the reconnect-grace countdown), connection quality while playing (signal bars from
// the lag of their last move: lag.ts) and the clock, counted down every animation frame from the server's numbers (clock.ts), written straight
// into the DOM so 60 updates a second re-render nothing.
import type { Side } from '@gambit/protocol';
import { useRef } from 'preact/hooks';
import { formatClock, remainingMs } from '../clock.js';
import { useFrame } from '../hooks.js';
import { seriesPoints } from '../rematch.js';
import { connectionBars, lagText } from '../lag.js';
import { useLive } from './live-context.js';

function setText(el: HTMLElement | null, text: string): void {
  if (el && el.textContent !== text) el.textContent = text; // avoid needless layout work at 60 fps
}

export function LivePlayerBar({ side }: { side: Side }) {
  const live = useLive();
  const bar = useRef<HTMLDivElement>(null);
  const clock = useRef<HTMLSpanElement>(null);
  const presence = useRef<HTMLSpanElement>(null);

  useFrame(() => {
    const v = live.view;
    const now = live.serverClock.now();
    const ms = v.clock ? remainingMs(v.clock, side, now) : (v.tc?.initialMs ?? 0);
    setText(clock.current, formatClock(ms));
    bar.current?.classList.toggle('running', v.status === 'active' && v.clock?.running === side);
    bar.current?.classList.toggle('low', ms < 10_000 && v.status === 'active');
    const seat = v[side];
    const p = presence.current;
    if (!p) return;
    if (!seat || seat.connected || v.status !== 'active') {
      p.dataset.state = seat?.connected === false ? 'away' : 'here';
      setText(p, '');
    } else {
      p.dataset.state = 'away';
      const left = seat.graceUntil === null ? null : Math.max(0, seat.graceUntil - now);
      setText(p, left === null ? 'disconnected' : `disconnected · ${Math.ceil(left / 1000)}s`);
    }
  });

  const seat = live.view[side];
  const label = seat ? seat.name : '…';
  const points = seriesPoints(live.view, side);
  const lag = live.view.status === 'active' ? live.view.lag?.[side] : undefined;
  return (
    <div id={`player-${side}`} class="player" data-side={side} ref={bar}>
      <span class="name">{side === live.view.color ? `${label} (you)` : label}</span>
      {points !== null && <span class="series" data-testid={`series-${side}`} title="Points in this room's games">{points}</span>}
      <span class="presence" ref={presence} />
      {lag !== undefined && <Signal side={side} lag={lag} />}
      <span id={`clock-${side}`} data-testid={`clock-${side}`} class="clock" ref={clock}>0:00</span>
    </div>
  );
}

/** Four bars, as many lit as the connection deserves; the lag itself in the tooltip. */
function Signal({ side, lag }: { side: Side; lag: number }) {
  const bars = connectionBars(lag);
  const text = `Connection: ${lagText(lag)} round trip at the last move`;
  return (
    <span class="signal" data-testid={`signal-${side}`} data-bars={bars} data-lag={lag} title={text} aria-label={text} role="img">
      {[1, 2, 3, 4].map((n) => <i key={n} class={n <= bars ? 'on' : ''} />)}
    </span>
  );
}
