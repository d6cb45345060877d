// The bar on every screen: the site name (home), who is playing, the sign-in links for a guest
// (when this stack has the accounts service), or the signed-in user's page, account and sign-out,
// and the socket's state.
import { useLocation } from 'preact-iso';
import type { ConnState } from '../connection.js';
import { playerPath, signInHref } from '../routes.js';
import { apiUrl } from '../server-origin.js';
import { useLive } from './live-context.js';

const CONN_TEXT: Record<ConnState, string> = {
  connecting: 'connecting', online: 'online', reconnecting: 'reconnecting…', offline: 'offline',
};

export function Header() {
  const live = useLive();
  const { url } = useLocation();
  const me = live.identity.me;
  return (
    <header class="top">
      <a class="brand" href="/" aria-label="Gambit">♞<span class="brand-name"> Gambit</span></a>
      <a class="nav" href="/watch" data-testid="watch-nav">Watch</a>
      <nav class="who" aria-label="Your account">
        {me?.kind === 'user' ? (
          <>
            <a id="me" data-testid="me" class="me" href={playerPath(me.name)}>{me.name}</a>
            <a href="/friends" data-testid="friends-link">Friends</a>
            <a href="/account" data-testid="account-link">Account</a>
            {/* A real form POST: the server ends the session and redirects (no script needed). */}
            <form method="post" action={apiUrl('/auth/logout')} class="inline">
              <button type="submit" class="link" data-testid="sign-out">Sign out</button>
            </form>
          </>
        ) : (
          <>
            <span id="me" data-testid="me" class="me">{me?.name ?? ''}</span>
            {live.identity.hasAccounts && (
              <>
                <a href={signInHref(url)} data-testid="sign-in">Sign in</a>
                <a href={signInHref(url, 'signup')} data-testid="sign-up">Sign up</a>
              </>
            )}
          </>
        )}
      </nav>
      <span id="conn-state" data-testid="conn-state" data-state={live.connState} role="status">
        <span class="conn-text">{CONN_TEXT[live.connState]}</span>
      </span>
    </header>
  );
}
