// New game: a time control (a preset or custom minutes + increment, checked in words by tc.ts
// before anything is sent), a colour, and rated or casual (rated needs an account: the server
// refuses guests, so the box is off for them). Then either a private room (a code to pass on) or a
// seek in the lobby, open to anyone.
import type { Side } from '@gambit/protocol';
import { useState } from 'preact/hooks';
import { useLive } from './live-context.js';
import { TcFields, useTcField } from './TcFields.js';

export function CreateForm({ enabled }: { enabled: boolean }) {
  const live = useLive();
  const field = useTcField();
  const [color, setColor] = useState<Side | 'random'>('random');
  const [rated, setRated] = useState(false);
  const signedIn = live.identity.me?.kind === 'user';

  const submit = (e: Event) => {
    e.preventDefault();
    // Checked before anything else: a time control the server would refuse sends nothing and says why.
    const tc = field.submit();
    if (!tc) return;
    const toLobby = (e as SubmitEvent).submitter?.id === 'seek';
    if (toLobby) live.seek(tc, color, rated && signedIn);
    else live.create(tc, color, rated && signedIn);
  };

  return (
    <form id="create-form" class="card" onSubmit={submit}>
      <h2>New game</h2>
      <TcFields field={field} />
      <label>Play as
        <select id="color" data-testid="color" value={color} onChange={(e) => setColor(e.currentTarget.value as Side | 'random')}>
          <option value="random">Random</option>
          <option value="white">White</option>
          <option value="black">Black</option>
        </select>
      </label>
      <label class="check" title={signedIn ? 'Ratings change with the result' : 'Sign in to play rated games'}>
        <input id="rated" data-testid="rated" type="checkbox" checked={rated && signedIn} disabled={!signedIn}
          onChange={(e) => setRated(e.currentTarget.checked)} />
        Rated{signedIn ? '' : ' (sign in)'}
      </label>
      <div class="row">
        <button id="create" data-testid="create" type="submit" class="primary" disabled={!enabled} title="A private room: pass its code on">Create game</button>
        <button id="seek" data-testid="seek" type="submit" disabled={!enabled} title="Open to anyone in the lobby">Open to anyone</button>
      </div>
    </form>
  );
}
