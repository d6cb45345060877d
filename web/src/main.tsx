// The page's entry: where the server is (server-origin.ts: config.json, the page's own origin when
// there is none), then one live game (and so one socket) for the whole site, the app rendered into
// <body>, then the identity and the connection. A config.json that is there but wrong stops here,
// with the reason on screen and in the console.
import type { Side } from '@gambit/protocol';
import { render } from 'preact';
import { App } from './app.js';
import { LiveGame } from './live.js';
import { CONFIG_PATH, loadServer, ServerConfigError, setServer } from './server-origin.js';

// A tiny hook for the browser tests: read-only facts, no controls. __gambitVideo hands out the
// call's peer connection: only its stats show that frames arrive, and through which candidates.
declare global {
  interface Window {
    __gambit: { state(): { me: string | null; room: string | null; color: Side | null; fen: string; status: string; seq: number; conn: string } };
    __gambitVideo: { pc(): RTCPeerConnection | null; state(): { phase: string; reason: string | null; relay: boolean | null } };
  }
}

function start(): void {
  const live = new LiveGame();
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
}

function BadConfig({ reason }: { reason: string }) {
  return (
    <main>
      <section class="card-stack">
        <div class="card notice" data-testid="bad-config">
          <h2>This site is not set up right</h2>
          <p>The page cannot tell where its server is: <code>{CONFIG_PATH}</code> {reason}.</p>
          <p>If you run this site, fix that file (docs/client.md, “The server’s origin”) and reload.</p>
        </div>
      </section>
    </main>
  );
}

loadServer().then(
  (server) => {
    setServer(server);
    start();
  },
  (err: unknown) => {
    const reason = err instanceof ServerConfigError ? err.message : String(err);
    console.error(`Gambit: ${CONFIG_PATH} ${reason}`);
    document.body.dataset.view = 'bad-config';
    render(<BadConfig reason={reason} />, document.getElementById('app')!);
  },
);
