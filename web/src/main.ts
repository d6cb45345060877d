// Wiring: guest login, the connection, server messages into the view model, the view model onto
// the board and the page, and user actions into protocol frames.
import type { ClientFrame, ErrorMsg, ServerMsg, Side, TimeControl } from '@gambit/protocol';
import { Board } from './board.js';
import { ServerClock } from './clock.js';
import { Connection } from './connection.js';
import { canMove, emptyView, lastMove, reduce, roomView, type GameView } from './game.js';
import { loadGuest, loadRoom, newGuest, preferredName, saveRoom, type Guest } from './session.js';
import * as ui from './ui.js';

const serverClock = new ServerClock();
let guest: Guest | null = loadGuest();
let view: GameView = emptyView(guest?.playerId ?? null);
let pendingMove = false; // a move of ours is on its way: no second one until the server answers
let offerSent = false; // we offered a draw (the server may not echo our own offer back)
let joining: string | null = null; // the room we asked to join, until the answer
let hostOf: string | null = null; // the room we created: we see its waiting screen
let flipped = false;
let requestedTc: TimeControl | null = null;
let frameNo = 0;
const frameId = (kind: string) => `${kind}-${++frameNo}`;
const live = (v: GameView) => v.status === 'waiting' || v.status === 'active';
const normalizeCode = (s: string) => s.trim().toUpperCase().replace(/[^A-Z0-9]/g, '');
const looksLikeCode = (s: string) => /^[A-Z2-9]{8}$/.test(s);

// What this tab was doing: a game of ours to resume (reload), or a room from a shared link.
const urlRoom = normalizeCode(new URLSearchParams(location.search).get('room') ?? '');
const saved = loadRoom();
if (saved && (!urlRoom || urlRoom === saved.room)) {
  view = roomView(view, saved.room, saved.color, saved.status);
  if (saved.status === 'waiting' && saved.color) hostOf = saved.room; // only the creator sits in a waiting room
} else if (looksLikeCode(urlRoom)) joining = urlRoom;

const board = new Board(ui.els.board, onBoardMove);

const conn = new Connection({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
  hello() {
    const frame: Extract<ClientFrame, { t: 'hello' }> = { t: 'hello', id: 'hello', token: guest?.token ?? '' };
    // Players resume from the last event they saw; the server replays the rest (or sends a fresh state).
    if (view.room && view.color && live(view)) frame.resume = { room: view.room, seq: view.seq };
    return frame;
  },
  onMessage,
  onState(state) {
    ui.setConn(state);
    render();
  },
  onTimeSample: (s) => serverClock.add(s),
  async onAuthFailed() {
    guest = await newGuest(ui.els.name.value || preferredName());
    view = { ...view, me: guest.playerId };
  },
});

function send(frame: ClientFrame): boolean {
  if (conn.send(frame)) return true;
  ui.toast('Not connected: try again in a moment');
  return false;
}

// ---- server messages ----

function onMessage(msg: ServerMsg): void {
  const before = view;
  view = reduce(view, msg, serverClock.now());
  switch (msg.t) {
    case 'welcome':
      return onWelcome();
    case 'created':
      view = { ...view, tc: requestedTc };
      hostOf = msg.room;
      break;
    case 'joined':
      joining = null;
      break;
    case 'state':
    case 'moved':
      pendingMove = false; // the server's position is what counts now, whatever became of ours
      break;
    case 'draw_declined':
      if (msg.room === view.room) offerSent = false;
      break;
    case 'closed':
      if (msg.room === before.room) {
        ui.toast(msg.reason === 'expired' ? 'The room expired' : 'The room was closed');
        return leaveRoom();
      }
      break;
    case 'error':
      return onError(msg);
  }
  if (view.moves.length !== before.moves.length || view.status === 'ended') offerSent = false;
  if (view !== before) update(before);
}

function onWelcome(): void {
  if (pendingMove) {
    // Sent on the old socket, answer lost: show the server's position; a replayed `moved` brings it back.
    pendingMove = false;
    board.revert();
  }
  if (joining) {
    send({ t: 'join', id: frameId('join'), room: joining });
  } else if (view.room && (view.status === 'ended' || (!view.color && live(view)))) {
    // Spectators watch again; a reloaded finished game fetches its final state (result, PGN) the same way.
    send({ t: 'watch', id: frameId('watch'), room: view.room });
  }
  render();
}

function onError(msg: ErrorMsg): void {
  const id = msg.id ?? '';
  if (id.startsWith('leave-')) return; // we are gone already; nothing to show
  if (id === 'hello') {
    if (msg.code === 'unauthorized') return; // the socket closes with 4401: Connection fetches a new token
    ui.toast(`Could not resume the game: ${msg.message}`);
    return leaveRoom();
  }
  if (id.startsWith('join-') && joining) {
    const room = joining;
    joining = null;
    if (msg.code === 'room_full' || msg.code === 'game_over') {
      view = roomView(view, room, null, 'none'); // the `state` answer is only accepted for our room
      send({ t: 'watch', id: frameId('watch'), room });
      return render();
    }
    ui.toast(msg.code === 'room_not_found' ? `No room ${room}` : msg.message);
    return leaveRoom();
  }
  if (id.startsWith('watch-')) {
    if (view.status !== 'ended') ui.toast(msg.code === 'room_not_found' ? `No room ${view.room ?? ''}` : msg.message);
    return leaveRoom();
  }
  if (id.startsWith('move-')) {
    pendingMove = false;
    board.revert();
  }
  if (id.startsWith('draw-')) offerSent = false;
  ui.toast(msg.message || msg.code);
  render();
}

/** After the view changed: board position and orientation, what to remember, the page. */
function update(before: GameView): void {
  const sameRoom = before.room === view.room;
  if (!sameRoom || before.color !== view.color) flipped = false;
  board.setOrientation(orientation());
  if (!sameRoom || before.fen !== view.fen || before.moves !== view.moves) {
    board.show(view.fen, lastMove(view), sameRoom && view.moves.length === before.moves.length + 1);
  }
  saveRoom(view.room && view.status !== 'none' ? { room: view.room, color: view.color, status: view.status } : null);
  if (view.room && new URLSearchParams(location.search).get('room') !== view.room) {
    history.replaceState(null, '', `/?room=${view.room}`);
  }
  render();
}

function orientation(): Side {
  const base: Side = view.color ?? 'white';
  return flipped ? (base === 'white' ? 'black' : 'white') : base;
}

function render(): void {
  const online = conn.state === 'online';
  ui.els.create.disabled = ui.els.join.disabled = !online;
  ui.els.name.disabled = view.room !== null;
  if (!view.room) ui.showScreen(joining ? 'loading' : 'home');
  else if (view.status === 'none') ui.showScreen('loading');
  else if (view.status === 'waiting' && hostOf === view.room) {
    ui.renderWaiting(view);
    ui.showScreen('waiting');
  } else ui.showScreen('game');
  ui.renderGame(view, { orientation: orientation(), online, pendingMove, offerSent });
  board.setInput(online && !pendingMove && canMove(view) ? view.color : null);
}

function leaveRoom(): void {
  view = emptyView(view.me);
  pendingMove = offerSent = false;
  joining = hostOf = null;
  saveRoom(null);
  history.replaceState(null, '', '/');
  board.show(view.fen, null, false);
  board.setOrientation('white');
  render();
}

// ---- user actions ----

function onBoardMove(uci: string): void {
  if (!view.room) return board.revert();
  if (!send({ t: 'move', id: frameId('move'), room: view.room, uci, ply: view.moves.length })) return board.revert();
  pendingMove = true;
  render();
}

ui.els.tc.addEventListener('change', () => {
  ui.els.customTc.hidden = ui.els.tc.value !== 'custom';
});

ui.els.createForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const tc = ui.readTc();
  if (!tc) return ui.toast('Pick a time control between 0 and 180 minutes, up to 180 s increment');
  requestedTc = tc;
  const color = ui.els.color.value as Side | 'random';
  send({ t: 'create', id: frameId('create'), tc, color });
});

ui.els.joinForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const code = normalizeCode(ui.els.joinCode.value);
  if (!looksLikeCode(code)) return ui.toast('A room code has 8 letters and digits');
  joining = code;
  if (!send({ t: 'join', id: frameId('join'), room: code })) joining = null;
  render();
});

ui.els.copyLink.addEventListener('click', async () => {
  if (!view.room) return;
  ui.toast((await ui.copyText(ui.shareUrl(view.room))) ? 'Link copied' : 'Copy the link by hand', 2000);
});

ui.els.cancelRoom.addEventListener('click', () => {
  if (view.room) send({ t: 'leave', id: frameId('leave'), room: view.room });
  leaveRoom();
});

/** A second click within 3 s confirms: no modal dialog in the middle of a game. */
function confirmClick(button: HTMLButtonElement, action: () => void): void {
  const label = button.textContent ?? '';
  let armed: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener('click', () => {
    if (armed) {
      clearTimeout(armed);
      armed = undefined;
      button.textContent = label;
      return action();
    }
    button.textContent = 'Sure? Click again';
    armed = setTimeout(() => {
      armed = undefined;
      button.textContent = label;
    }, 3000);
  });
}

confirmClick(ui.els.resign, () => view.room && send({ t: 'resign', id: frameId('resign'), room: view.room }));
ui.els.abort.addEventListener('click', () => view.room && send({ t: 'abort', id: frameId('abort'), room: view.room }));
ui.els.drawOffer.addEventListener('click', () => {
  if (view.room && send({ t: 'draw', id: frameId('draw'), room: view.room, action: 'offer' })) {
    offerSent = true;
    render();
  }
});
for (const [button, action] of [[ui.els.drawAccept, 'accept'], [ui.els.drawDecline, 'decline']] as const) {
  button.addEventListener('click', () => view.room && send({ t: 'draw', id: frameId('draw'), room: view.room, action }));
}
ui.els.flip.addEventListener('click', () => {
  flipped = !flipped;
  board.setOrientation(orientation());
  render();
});
ui.els.pgn.addEventListener('click', () => view.pgn && ui.downloadPgn(view.pgn, view.room));
ui.els.newGame.addEventListener('click', () => {
  if (view.room && !view.color) send({ t: 'leave', id: frameId('leave'), room: view.room }); // stop watching
  leaveRoom();
});

// A new name is a new guest (tokens carry the name), so only between games.
ui.els.name.addEventListener('change', async () => {
  if (view.room) return;
  try {
    guest = await newGuest(ui.els.name.value || preferredName());
    ui.els.name.value = guest.name;
    view = { ...view, me: guest.playerId };
    conn.restart();
  } catch {
    ui.toast('Could not change the name');
  }
});

// ---- clocks at display rate, from server values ----

function tick(): void {
  ui.renderTick(view, serverClock.now());
  requestAnimationFrame(tick);
}

// A tiny hook for the browser tests: read-only facts, no controls.
declare global {
  interface Window { __gambit: { state(): { room: string | null; color: Side | null; fen: string; status: string; seq: number; conn: string } } }
}
window.__gambit = {
  state: () => ({ room: view.room, color: view.color, fen: view.fen, status: view.status, seq: view.seq, conn: conn.state }),
};

async function boot(): Promise<void> {
  ui.els.name.value = guest?.name ?? preferredName();
  ui.setConn('connecting');
  board.setOrientation(orientation()); // a reloaded game of Black's
  render();
  requestAnimationFrame(tick);
  while (!guest) {
    try {
      guest = await newGuest(ui.els.name.value);
    } catch {
      ui.toast('Cannot reach the server, retrying…', 2000);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  view = { ...view, me: guest.playerId };
  ui.els.name.value = guest.name;
  conn.start();
}

void boot();
