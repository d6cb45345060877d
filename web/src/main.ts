// Wiring: guest login, the connection, server messages into the view model, the view model onto
// the board and the page, and user actions into protocol frames.
import type { ClientFrame, ErrorMsg, ServerMsg, Side, TimeControl } from '@gambit/protocol';
import { Board } from './board.js';
import { ServerClock } from './clock.js';
import { Connection } from './connection.js';
import { actionOf, errorText } from './errors.js';
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
let acting = false; // a create or join is waiting for the name switch: a second click does nothing
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
    guest = await newGuest(guest?.name || ui.els.name.value || preferredName()); // the name in force, not a half-typed one
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
  for (const resolve of welcomeWaiters.splice(0)) resolve();
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
    ui.toast(`Could not resume the game: ${errorText(msg.code, view.room, 'hello')}`);
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
    ui.toast(errorText(msg.code, room, 'join'));
    return leaveRoom();
  }
  if (id.startsWith('watch-')) {
    if (view.status !== 'ended') ui.toast(errorText(msg.code, view.room, 'watch'));
    return leaveRoom();
  }
  if (id.startsWith('move-')) {
    pendingMove = false;
    board.revert();
  }
  if (id.startsWith('draw-')) offerSent = false;
  ui.toast(errorText(msg.code, view.room, actionOf(id)));
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
  // While a name switch restarts the socket the buttons stay enabled: the click that blurred the name
  // field (and so started the switch) must still land, and create/join wait for the switch themselves.
  ui.els.create.disabled = ui.els.join.disabled = !online && switchingTo === null;
  ui.els.name.disabled = view.room !== null || joining !== null;
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
  if (!ui.els.tcError.hidden) showTcProblem();
});
for (const input of [ui.els.tcMin, ui.els.tcInc]) {
  input.addEventListener('input', () => {
    if (!ui.els.tcError.hidden) showTcProblem(); // once shown, the message follows the fields until fixed
  });
}

/** Shows what is wrong with the chosen time control (or clears the message); true when it is fine. */
function showTcProblem(): boolean {
  const check = ui.readTc();
  ui.setTcError(check.ok ? null : check.message);
  return check.ok;
}

ui.els.createForm.addEventListener('submit', (e) => {
  e.preventDefault();
  // Checked before anything else: a time control the server would refuse sends nothing and says why.
  const check = ui.readTc();
  ui.setTcError(check.ok ? null : check.message);
  if (!check.ok) return;
  const color = ui.els.color.value as Side | 'random';
  void act(() => {
    requestedTc = check.tc;
    send({ t: 'create', id: frameId('create'), tc: check.tc, color });
  });
});

ui.els.joinForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const code = normalizeCode(ui.els.joinCode.value);
  if (!looksLikeCode(code)) return ui.toast('A room code has 8 letters and digits');
  void act(() => {
    joining = code;
    if (!send({ t: 'join', id: frameId('join'), room: code })) joining = null;
  });
});

/**
 * Runs a create or join in the order the person acted: a name typed before the click is in force
 * first (new guest, new socket, its `welcome`), so the seat belongs to the identity and the socket
 * that stay. Without this the click's `create` went out on the old socket while the name field's
 * change handler was still fetching the new guest; the socket was then replaced and the seat left
 * behind on it, disconnected, until the game ended `abandoned`.
 */
async function act(action: () => void): Promise<void> {
  if (acting) return;
  acting = true;
  try {
    if (!(await commitName())) return;
  } finally {
    acting = false;
  }
  if (view.room || joining) return; // something else (a shared link) put us in a room meanwhile
  action();
  render();
}

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

// ---- the name ----
// A new name is a new guest (the token carries the name, and the playerId comes with the token).
// Changes are serialised on `identity`: each link is in force (new token, new socket, `welcome`)
// before the next one, or before a create/join, runs.
let identity: Promise<boolean> = Promise.resolve(true);
let switchingTo: string | null = null; // the name a pending switch is going to
const welcomeWaiters: (() => void)[] = [];
const cleanName = (s: string) => s.trim().slice(0, 24);

/** Resolves on the next `welcome` (of a socket opened after this call), rejects after `ms`. */
function nextWelcome(ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      welcomeWaiters.splice(welcomeWaiters.indexOf(done), 1);
      reject(new Error('no welcome'));
    }, ms);
    welcomeWaiters.push(done);
  });
}

/**
 * Makes the name in the field the one in force. Resolves true once it is (at once when it already
 * is), false when it could not be. Called on change (blur), on Enter, and by every create and join,
 * so a name typed and not yet committed still comes before the game it was typed for.
 */
function commitName(): Promise<boolean> {
  const name = cleanName(ui.els.name.value);
  const current = switchingTo ?? guest?.name ?? '';
  if (!name || name === current) {
    if (!name && current) ui.els.name.value = current; // an empty field means: keep the name
    // A switch to this very name is pending: its outcome decides. Otherwise the name in force is
    // this one (an earlier failed switch does not count against it); still wait for the queue.
    return switchingTo !== null ? identity : identity.then(() => true);
  }
  if (view.room || joining) {
    // Like lichess, a name cannot change during a game: the seat (and what the opponent reads) is
    // tied to the player id in the token, and a new name is a new token, so the game would lose its
    // player. The field is disabled in a room; this catches a change that was typed just before.
    ui.els.name.value = current;
    ui.toast('Your name can change between games, not during one');
    return identity;
  }
  switchingTo = name;
  identity = identity.then(() => switchName(name));
  return identity;
}

async function switchName(name: string): Promise<boolean> {
  try {
    if (name === guest?.name) return true;
    const next = await newGuest(name);
    guest = next;
    view = { ...view, me: next.playerId };
    if (cleanName(ui.els.name.value) === name) ui.els.name.value = next.name; // the server's spelling
    const welcomed = nextWelcome(15_000);
    conn.restart();
    await welcomed.catch(() => {
      throw new Error('Not connected: try again in a moment');
    });
    return true;
  } catch (err) {
    ui.toast(err instanceof Error && err.message.startsWith('Not connected') ? err.message : 'Could not change the name: try again');
    if (cleanName(ui.els.name.value) === name && guest) ui.els.name.value = guest.name;
    return false;
  } finally {
    if (switchingTo === name) switchingTo = null;
    render();
  }
}

ui.els.name.addEventListener('change', () => void commitName());
ui.els.name.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') void commitName(); // the header field is in no form: Enter commits the name
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

async function boot(): Promise<boolean> {
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
  return true;
}

identity = boot(); // a name typed while the page loads is switched to after the first guest
