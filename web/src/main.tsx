// The page's entry: one live game (and so one socket) for the whole site, the app rendered into
// <body>, then the identity and the connection.
import type { Side } from '@gambit/protocol';
import { render } from 'preact';
import { App } from './app.js';
import { LiveGame } from './live.js';

const live = new LiveGame();

// A tiny hook for the browser tests: read-only facts, no controls. __gambitVideo hands out the
// call's peer connection: only its stats show that frames arrive, and through which candidates.
declare global {
  interface Window {
    __gambit: { state(): { me: string | null; room: string | null; color: Side | null; fen: string; status: string; seq: number; conn: string } };
    __gambitVideo: { pc(): RTCPeerConnection | null; state(): { phase: string; reason: string | null; relay: boolean | null } };
  }
}
window.__gambit = {
  state: () => {
    const v = live.view;
    return { me: v.me, room: v.room, color: v.color, fen: v.fen, status: v.status, seq: v.seq, conn: live.connState };
  },
};
window.__gambitVideo = {
  pc: () => live.video.pc,
  state: () => ({ phase: live.video.phase, reason: live.video.reason, relay: live.video.relay }),
};

render(<App live={live} />, document.getElementById('app')!);
void live.boot();
