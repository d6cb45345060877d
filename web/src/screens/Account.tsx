// `/account`: the signed-in user's account (username, email, member since), their data to
// download, and deleting it. A guest gets a prompt to sign in.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Account as AccountData } from '../api.js';
import { apiErrorText } from '../errors.js';
import { memberSince } from '../format.js';
import { useBodyView, useLoad } from '../hooks.js';
import { signInHref } from '../routes.js';
import { apiUrl } from '../server-origin.js';
import { DeleteAccount } from '../components/DeleteAccount.js';
import { Notice } from '../components/Notice.js';
import { UsernameForm } from '../components/UsernameForm.js';
import { useLive } from '../components/live-context.js';

export function Account() {
  const live = useLive();
  const signedIn = live.identity.me?.kind === 'user';
  // Asked again when the identity changes (it arrives after the first render).
  const load = useLoad(`account:${live.identity.me?.playerId ?? ''}`, () => api.account());
  const [account, setAccount] = useState<AccountData | null>(null);
  useEffect(() => setAccount(load.state === 'done' ? load.data : null), [load.state]);
  useBodyView('account');

  if (load.state === 'loading') return <p class="view-loading">Loading…</p>;
  if (load.state === 'failed') {
    const status = load.error instanceof ApiError ? load.error.status : 0;
    if (status === 401 || (status === 404 && !signedIn)) {
      return (
        <Notice title="Sign in to see your account" testid="account-sign-in">
          <p>Your account page shows your username, email and data once you are signed in.</p>
          {live.identity.hasAccounts
            ? <p><a class="button primary" href={signInHref('/account')}>Sign in</a></p>
            : <p class="muted">This server has no accounts: games are played as guests.</p>}
        </Notice>
      );
    }
    return <Notice title="Could not load your account"><p>{apiErrorText(load.error)}</p></Notice>;
  }
  const a = account ?? load.data;
  return (
    <section id="account" class="card-stack">
      <div class="card">
        <h2>Your account</h2>
        <UsernameForm account={a} onChanged={(next) => {
          setAccount(next);
          void live.refreshIdentity(); // the header shows the new name
        }} />
        <dl class="facts">
          <div><dt>Email</dt><dd data-testid="email">{a.email ?? 'none given'}</dd></div>
          <div><dt>Joined</dt><dd>{memberSince(a.createdAt)}</dd></div>
        </dl>
      </div>
      <div class="card">
        <h2>Your data</h2>
        <p><a class="button" href={apiUrl('/api/account/export')} data-testid="export">Download my data</a></p>
        <DeleteAccount username={a.username} />
      </div>
    </section>
  );
}
