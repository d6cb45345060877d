// The site: the header, the friends' open challenges (on every screen), one screen per URL
// (preact-iso's router), the toast. Links to /auth/* and /api/* are left to the browser (full page
// loads: sign-in redirects, downloads).
import { useEffect } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import type { LiveGame } from './live.js';
import { COMPUTER_PATH, normalizeCode, roomFromUrl, roomPath } from './routes.js';
import { ChallengeBar } from './components/ChallengeBar.js';
import { Header } from './components/Header.js';
import { Toast } from './components/Toast.js';
import { LiveContext } from './components/live-context.js';
import { Account } from './screens/Account.js';
import { Computer } from './screens/Computer.js';
import { Game } from './screens/Game.js';
import { Home } from './screens/Home.js';
import { NotFound } from './screens/NotFound.js';
import { Player } from './screens/Player.js';
import { Replay } from './screens/Replay.js';
import { Watch } from './screens/Watch.js';
import { Friends } from './screens/Friends.js';

/** Only in-site screens are routed in the page; everything under /api/ and /auth/ is the server's. */
const SCOPE = /^\/(?!api\/|auth\/)/;

/** Lets the live game move the page: to a room it created or joined, home when a shown room is gone. */
function LiveNavigation({ live }: { live: LiveGame }) {
  const { route } = useLocation();
  useEffect(() => {
    live.navigator = {
      toRoom: (room) => route(roomPath(room)),
      leftRoom: (room) => {
        if (roomFromUrl(location.pathname, location.search) === room) route('/', true);
      },
    };
    return () => {
      live.navigator = null;
    };
  }, [live, route]);
  return null;
}

/** `/`: home, or an old shared link `/?room=CODE`, which now lives at /room/CODE. */
function HomeRoute() {
  const { query, route } = useLocation();
  const room = query.room ? normalizeCode(query.room) : null;
  useEffect(() => {
    if (room) route(roomPath(room), true);
  }, [room]);
  return room ? <p class="view-loading">Joining…</p> : <Home />;
}

export function App({ live }: { live: LiveGame }) {
  return (
    <LiveContext.Provider value={live}>
      <LocationProvider scope={SCOPE}>
        <LiveNavigation live={live} />
        <Header />
        <ChallengeBar />
        <main>
          <Router>
            <Route path="/" component={HomeRoute} />
            <Route path="/room/:code" component={Game} />
            <Route path="/@/:username" component={Player} />
            <Route path="/game/:id" component={Replay} />
            <Route path="/account" component={Account} />
            <Route path="/watch" component={Watch} />
            <Route path="/friends" component={Friends} />
            <Route path={COMPUTER_PATH} component={Computer} />
            <Route default component={NotFound} />
          </Router>
        </main>
        <Toast />
      </LocationProvider>
    </LiveContext.Provider>
  );
}
