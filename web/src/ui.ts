// Everything that touches the DOM outside the board. Renders a GameView; owns no game state.
import type { Side, TimeControl } from '@gambit/protocol';
import { formatClock, remainingMs } from './clock.js';
import type { ConnState } from './connection.js';
import { checkPreset, checkTc, type TcCheck } from './tc.js';
import {
  canAbort, isPlayer, other, resultText, resultTitle, turn, type GameView,
} from './game.js';

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html lacks #${id}`);
  return el as T;
}

export const els = {
  name: $<HTMLInputElement>('name'),
  conn: $('conn-state'),
  createForm: $<HTMLFormElement>('create-form'),
  tc: $<HTMLSelectElement>('tc'),
  customTc: $('custom-tc'),
  tcMin: $<HTMLInputElement>('tc-min'),
  tcInc: $<HTMLInputElement>('tc-inc'),
  tcError: $('tc-error'),
  color: $<HTMLSelectElement>('color'),
  create: $<HTMLButtonElement>('create'),
  joinForm: $<HTMLFormElement>('join-form'),
  joinCode: $<HTMLInputElement>('join-code'),
  join: $<HTMLButtonElement>('join'),
  roomCode: $('room-code'),
  shareLink: $<HTMLAnchorElement>('share-link'),
  copyLink: $<HTMLButtonElement>('copy-link'),
  cancelRoom: $<HTMLButtonElement>('cancel-room'),
  waitingTc: $('waiting-tc'),
  board: $('board'),
  slotTop: $('slot-top'),
  slotBottom: $('slot-bottom'),
  players: { white: $('player-white'), black: $('player-black') } as Record<Side, HTMLElement>,
  clocks: { white: $('clock-white'), black: $('clock-black') } as Record<Side, HTMLElement>,
  status: $('status'),
  gameOver: $('game-over'),
  resultTitle: $('result-title'),
  result: $('result'),
  pgn: $<HTMLButtonElement>('pgn-download'),
  newGame: $<HTMLButtonElement>('new-game'),
  drawPrompt: $('draw-prompt'),
  drawAccept: $<HTMLButtonElement>('draw-accept'),
  drawDecline: $<HTMLButtonElement>('draw-decline'),
  drawOffer: $<HTMLButtonElement>('draw-offer'),
  resign: $<HTMLButtonElement>('resign'),
  abort: $<HTMLButtonElement>('abort'),
  flip: $<HTMLButtonElement>('flip'),
  moves: $('moves'),
  toast: $('toast'),
};

export type Screen = 'loading' | 'home' | 'waiting' | 'game';

export function showScreen(screen: Screen): void {
  document.body.dataset.view = screen;
}

const CONN_TEXT: Record<ConnState, string> = {
  connecting: 'connecting', online: 'online', reconnecting: 'reconnecting…', offline: 'offline',
};
export function setConn(state: ConnState): void {
  els.conn.dataset.state = state;
  els.conn.textContent = CONN_TEXT[state];
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
/** A short message that goes away by itself (errors from the server, copy confirmations). */
export function toast(message: string, ms = 3500): void {
  els.toast.textContent = message;
  els.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { els.toast.hidden = true; }, ms);
}

/** The time control chosen on the home screen, or why it cannot be played (in words). */
export function readTc(): TcCheck {
  return els.tc.value === 'custom' ? checkTc(els.tcMin.value, els.tcInc.value) : checkPreset(els.tc.value);
}

/** Shows (or clears, with null) the time-control problem under the form. */
export function setTcError(message: string | null): void {
  els.tcError.textContent = message ?? '';
  els.tcError.hidden = message === null;
  els.tcMin.setAttribute('aria-invalid', String(message !== null));
}

export const tcLabel = (tc: TimeControl): string => `${tc.initialMs / 60_000} + ${tc.incrementMs / 1000}`;

export function shareUrl(room: string): string {
  return `${location.origin}/?room=${room}`;
}

export function renderWaiting(v: GameView): void {
  if (!v.room) return;
  els.roomCode.textContent = v.room;
  els.shareLink.href = els.shareLink.textContent = shareUrl(v.room);
  els.waitingTc.textContent = v.tc ? `Time control ${tcLabel(v.tc)}${v.color ? ` · you play ${v.color}` : ''}` : '';
}

export interface GameExtras { orientation: Side; online: boolean; pendingMove: boolean; offerSent: boolean }

export function renderGame(v: GameView, x: GameExtras): void {
  document.body.dataset.status = v.status;
  // Opponent on top, us (or White, for spectators) below.
  if (els.slotBottom.firstElementChild !== els.players[x.orientation]) {
    els.slotTop.replaceChildren(els.players[other(x.orientation)]);
    els.slotBottom.replaceChildren(els.players[x.orientation]);
  }
  for (const side of ['white', 'black'] as const) {
    const seat = v[side];
    const label = seat ? seat.name : '…';
    const name = els.players[side].querySelector('.name');
    if (name) name.textContent = side === v.color ? `${label} (you)` : label;
  }

  const player = isPlayer(v);
  const active = v.status === 'active';
  const ours = v.color;
  els.status.textContent = statusText(v);
  document.title = active && ours && turn(v) === ours ? '● Your move · Gambit' : 'Gambit';

  const over = v.status === 'ended' || v.status === 'closed';
  els.gameOver.hidden = !over;
  els.resultTitle.textContent = over ? resultTitle(v) : '';
  els.result.textContent = v.status === 'ended' ? resultText(v) : '';
  els.pgn.disabled = !v.pgn;

  const theirOffer = active && ours !== null && v.drawOffer === other(ours);
  els.drawPrompt.hidden = !theirOffer;
  els.drawAccept.disabled = els.drawDecline.disabled = !x.online;
  els.drawOffer.disabled = !(active && player && x.online && v.drawOffer === null && !x.offerSent);
  els.drawOffer.textContent = v.drawOffer === ours && ours ? '½ Draw offered' : '½ Offer draw';
  els.resign.disabled = !(active && player && x.online);
  els.abort.disabled = !(canAbort(v) && x.online);
  for (const b of [els.drawOffer, els.resign, els.abort]) b.hidden = !player || over;

  renderMoves(v.san);
}

function statusText(v: GameView): string {
  if (v.status === 'waiting') return 'Waiting for an opponent…';
  if (v.status !== 'active') return ''; // ended: the game-over panel says it
  const t = turn(v);
  if (!v.color) return `Watching · ${t === 'white' ? 'White' : 'Black'} to move`;
  return t === v.color ? 'Your move' : "Opponent's move";
}

let shownMoves = -1;
function renderMoves(san: string[]): void {
  if (san.length === shownMoves) return;
  shownMoves = san.length;
  const items: HTMLLIElement[] = [];
  for (let i = 0; i < san.length; i += 2) {
    const li = document.createElement('li');
    const num = document.createElement('span');
    num.className = 'num';
    num.textContent = `${i / 2 + 1}.`;
    li.append(num);
    for (const m of san.slice(i, i + 2)) {
      const span = document.createElement('span');
      span.className = 'san';
      span.textContent = m;
      li.append(span);
    }
    items.push(li);
  }
  els.moves.replaceChildren(...items);
  els.moves.scrollTop = els.moves.scrollHeight;
}

/** Called every animation frame: clocks and the reconnect-grace countdowns. */
export function renderTick(v: GameView, serverNow: number): void {
  for (const side of ['white', 'black'] as const) {
    const ms = v.clock ? remainingMs(v.clock, side, serverNow) : (v.tc?.initialMs ?? 0);
    setText(els.clocks[side], formatClock(ms));
    const bar = els.players[side];
    bar.classList.toggle('running', v.status === 'active' && v.clock?.running === side);
    bar.classList.toggle('low', ms < 10_000 && v.status === 'active');
    const seat = v[side];
    const presence = bar.querySelector<HTMLElement>('.presence');
    if (!presence) continue;
    if (!seat || seat.connected || v.status !== 'active') {
      presence.dataset.state = seat?.connected === false ? 'away' : 'here';
      setText(presence, '');
    } else {
      presence.dataset.state = 'away';
      const left = seat.graceUntil === null ? null : Math.max(0, seat.graceUntil - serverNow);
      setText(presence, left === null ? 'disconnected' : `disconnected · ${Math.ceil(left / 1000)}s`);
    }
  }
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text; // avoid needless layout work at 60 fps
}

export function downloadPgn(pgn: string, room: string | null): void {
  const url = URL.createObjectURL(new Blob([pgn], { type: 'application/x-chess-pgn' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `gambit-${room ?? 'game'}.pgn`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // no clipboard permission (or not a secure context): the link is still selectable
  }
}
