// `/`: the guest's name, quick pairing, a new game (private or open), the lobby, join by code, a link to play the computer; a link back to a game in progress; and, where
// this stack offers no way to play as a guest, a clear message with a sign-in link.
import { isLive } from '../live.js';
import { useBodyView } from '../hooks.js';
import { COMPUTER_PATH, roomPath, signInHref } from '../routes.js';
import { CreateForm } from '../components/CreateForm.js';
import { JoinForm } from '../components/JoinForm.js';
import { QuickPair } from '../components/QuickPair.js';
import { Lobby } from '../components/Lobby.js';
import { NameField } from '../components/NameField.js';
import { useLive } from '../components/live-context.js';

export function Home() {
  const live = useLive();
  useBodyView('home');
  const v = live.view;
  // While a name switch restarts the socket the buttons stay enabled: the click that blurred the name
  // field (and so started the switch) must still land, and create/join wait for the switch themselves.
  const enabled = !live.noSession && (live.online || live.names.switching);
  return (
    <section id="home" class="card-stack">
      {live.noSession && (
        <div class="card notice" role="alert" data-testid="no-session">
          <h2>Sign in to play</h2>
          <p>This server does not offer guest games. Sign in with an account to play.</p>
          <p><a class="button primary" href={signInHref('/')}>Sign in</a></p>
        </div>
      )}
      {v.room && v.color && isLive(v) && (
        <div class="card notice" data-testid="game-in-progress">
          <p>You have a game in progress. <a href={roomPath(v.room)}>Back to the game</a></p>
        </div>
      )}
      <div class="card"><NameField /></div>
      <QuickPair enabled={enabled} />
      <CreateForm enabled={enabled} />
      <Lobby enabled={enabled} />
      <JoinForm enabled={enabled} />
      <div class="card" id="computer-card">
        <h2>Play the computer</h2>
        <p class="muted small">Stockfish, eight levels, any time control; it runs in your browser.</p>
        <p><a id="computer-link" data-testid="computer-link" class="button primary" href={COMPUTER_PATH}>Play the computer</a></p>
      </div>
    </section>
  );
}
