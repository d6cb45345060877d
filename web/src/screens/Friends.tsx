// `/friends`: the signed-in player's friends (online now or not, read again every 10 s), friend
// requests to answer and the ones sent, an add-by-username form, and the players they blocked.
// A guest gets a prompt to sign in.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Friend, type FriendAction, type FriendLists } from '../api.js';
import { apiErrorText } from '../errors.js';
import { useBodyView } from '../hooks.js';
import { playerPath, signInHref } from '../routes.js';
import { Notice } from '../components/Notice.js';
import { useLive } from '../components/live-context.js';
import { toast } from '../toast.js';

export function Friends() {
  const live = useLive();
  const me = live.identity.me;
  const [lists, setLists] = useState<FriendLists | null>(null);
  const [failed, setFailed] = useState<unknown>(null);
  const [name, setName] = useState('');
  const reload = () => api.friends().then((l) => { setLists(l); setFailed(null); }, setFailed);
  useEffect(() => {
    if (me?.kind !== 'user') return;
    void reload();
    const t = setInterval(() => void reload(), 10_000); // presence
    return () => clearInterval(t);
  }, [me?.playerId]);
  useBodyView(lists ? 'friends' : 'loading');

  if (me && me.kind !== 'user') {
    return (
      <Notice title="Sign in to have friends" testid="friends-sign-in">
        <p>Friends, requests and challenges are for accounts.</p>
        {live.identity.hasAccounts && <p><a class="button primary" href={signInHref('/friends')}>Sign in</a></p>}
      </Notice>
    );
  }
  if (!lists && failed) return <Notice title="Could not load your friends"><p>{apiErrorText(failed)}</p></Notice>;
  if (!lists) return <p class="view-loading">Loading…</p>;

  const act = async (username: string, action: FriendAction) => {
    try {
      await api.friend(username, action);
      await reload();
      return true;
    } catch (err) {
      toast(err instanceof ApiError ? apiErrorText(err) : String(err));
      return false;
    }
  };
  const row = (f: Friend, buttons: [FriendAction, string][]) => (
    <li key={f.playerId} data-testid="friend-row" data-username={f.username}>
      {f.online !== undefined && <span class={`dot${f.online ? ' online' : ''}`} title={f.online ? 'online' : 'offline'} data-testid={f.online ? 'online' : 'offline'} />}
      <a href={playerPath(f.username)}>{f.username}</a>
      {buttons.map(([action, label]) => <button type="button" key={action} data-testid={`friend-${action}`} onClick={() => void act(f.username, action)}>{label}</button>)}
    </li>
  );
  const section = (title: string, id: string, people: Friend[], buttons: [FriendAction, string][]) => people.length > 0 && (
    <div class="card" data-testid={id}><h2>{title}</h2><ul class="friends">{people.map((f) => row(f, buttons))}</ul></div>
  );
  return (
    <section id="friends" class="card-stack">
      <form class="card" data-testid="add-friend" onSubmit={(e) => {
        e.preventDefault();
        const username = name.trim();
        if (username) void act(username, 'request').then((ok) => ok && setName(''));
      }}>
        <h2>Add a friend</h2>
        <div class="row">
          <input id="friend-name" data-testid="friend-name" placeholder="Username" value={name} maxLength={20} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" class="primary" data-testid="friend-add">Send request</button>
        </div>
      </form>
      {section('Friend requests', 'incoming', lists.incoming, [['accept', 'Accept'], ['decline', 'Decline']])}
      <div class="card" data-testid="friends-list">
        <h2>Friends</h2>
        {lists.friends.length === 0 ? <p class="muted">No friends yet: add one by username.</p>
          : <ul class="friends">{lists.friends.map((f) => row(f, [['remove', 'Remove'], ['block', 'Block']]))}</ul>}
      </div>
      {section('Requests you sent', 'outgoing', lists.outgoing, [['remove', 'Cancel']])}
      {section('Blocked', 'blocked', lists.blocked, [['unblock', 'Unblock']])}
    </section>
  );
}
