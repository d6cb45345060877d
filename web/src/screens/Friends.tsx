// `/friends`: the signed-in player's friends, who of them is online or playing (live over the
// socket while the screen is shown: challenges.ts follows it), a challenge form for each online
// friend, friend requests to answer and the ones sent, an add-by-username form, and the players
// they blocked. The list itself comes from the accounts API; it is read again when the socket
// names a friend it lacks (a request accepted elsewhere) and when the tab is looked at again.
// A guest gets a prompt to sign in.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Friend, type FriendAction, type FriendLists } from '../api.js';
import { apiErrorText } from '../errors.js';
import { useBodyView } from '../hooks.js';
import { playerPath, roomPath, signInHref } from '../routes.js';
import { ChallengeForm } from '../components/ChallengeForm.js';
import { Notice } from '../components/Notice.js';
import { useLive } from '../components/live-context.js';
import { toast } from '../toast.js';

export function Friends() {
  const live = useLive();
  const me = live.identity.me;
  const signedIn = me?.kind === 'user';
  const [lists, setLists] = useState<FriendLists | null>(null);
  const [failed, setFailed] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [form, setForm] = useState<string | null>(null); // the friend whose challenge form is open
  const reload = () => api.friends().then((l) => { setLists(l); setFailed(null); }, setFailed);
  useEffect(() => {
    if (!signedIn) return;
    void reload();
    live.challenges.follow();
    // Friend requests have no socket message: a tab looked at again reads the lists again.
    const onVisible = () => document.visibilityState === 'visible' && void reload();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      live.challenges.unfollow();
    };
  }, [me?.playerId, signedIn]);

  const presence = live.challenges.presence;
  // Online friends the list lacks became friends after it was read: once per such set, read it again.
  const unknown = presence && lists ? [...presence.keys()].filter((id) => !lists.friends.some((f) => f.playerId === id)).sort().join(' ') : '';
  useEffect(() => {
    if (unknown) void reload();
  }, [unknown]);
  const challenged = form !== null && live.challenges.to(form) !== undefined;
  useEffect(() => {
    if (challenged) setForm(null); // it stands (the bar shows it): the form's work is done
  }, [challenged]);
  useBodyView(lists ? 'friends' : 'loading');

  if (me && !signedIn) {
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
      live.challenges.refreshPresence(); // a new friend's presence, at once rather than at the next change
      await reload();
      return true;
    } catch (err) {
      toast(err instanceof ApiError ? apiErrorText(err) : String(err));
      return false;
    }
  };
  const buttons = (f: Friend, list: [FriendAction, string][]) =>
    list.map(([action, label]) => <button type="button" key={action} data-testid={`friend-${action}`} onClick={() => void act(f.username, action)}>{label}</button>);
  const dot = (online: boolean) =>
    <span class={`dot${online ? ' online' : ''}`} title={online ? 'online' : 'offline'} data-testid={online ? 'online' : 'offline'} />;
  const row = (f: Friend, list: [FriendAction, string][]) => (
    <li key={f.playerId} data-testid="friend-row" data-username={f.username}>
      {f.online !== undefined && dot(f.online)}
      <a href={playerPath(f.username)}>{f.username}</a>
      <span class="actions">{buttons(f, list)}</span>
    </li>
  );
  // A friend: online and playing from the socket once it answered (the API's reading until then).
  const friendRow = (f: Friend) => {
    const here = presence ? presence.get(f.playerId) : undefined;
    const online = presence ? here !== undefined : f.online === true;
    const pending = live.challenges.to(f.playerId);
    return (
      <li key={f.playerId} data-testid="friend-row" data-username={f.username}>
        {dot(online)}
        <a href={playerPath(f.username)}>{f.username}</a>
        {here?.playing && <a class="playing" href={roomPath(here.playing)} data-testid="friend-playing">playing</a>}
        <span class="actions">
          {online && (pending ? <span class="muted small" data-testid="friend-challenged">challenged</span>
            : <button type="button" class="primary" data-testid="challenge-button" aria-expanded={form === f.playerId}
              onClick={() => setForm(form === f.playerId ? null : f.playerId)}>Challenge</button>)}
          {buttons(f, [['remove', 'Remove'], ['block', 'Block']])}
        </span>
        {online && !pending && form === f.playerId && <ChallengeForm to={f.playerId} name={f.username} onClose={() => setForm(null)} />}
      </li>
    );
  };
  const section = (title: string, id: string, people: Friend[], list: [FriendAction, string][]) => people.length > 0 && (
    <div class="card" data-testid={id}><h2>{title}</h2><ul class="friends">{people.map((f) => row(f, list))}</ul></div>
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
          : <ul class="friends">{lists.friends.map(friendRow)}</ul>}
      </div>
      {section('Requests you sent', 'outgoing', lists.outgoing, [['remove', 'Cancel']])}
      {section('Blocked', 'blocked', lists.blocked, [['unblock', 'Unblock']])}
    </section>
  );
}
