// Join a game by its room code (letters and digits; spaces and dashes are forgiven).
import { useState } from 'preact/hooks';
import { looksLikeCode, normalizeCode } from '../routes.js';
import { toast } from '../toast.js';
import { useLive } from './live-context.js';

export function JoinForm({ enabled }: { enabled: boolean }) {
  const live = useLive();
  const [code, setCode] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    const room = normalizeCode(code);
    if (!looksLikeCode(room)) return toast('A room code has 8 letters and digits');
    live.join(room);
  };
  return (
    <form id="join-form" class="card" onSubmit={submit}>
      <h2>Join a game</h2>
      <input id="join-code" data-testid="join-code" placeholder="Room code" maxLength={8} autoComplete="off"
        autoCapitalize="characters" spellcheck={false} aria-label="Room code" value={code}
        onInput={(e) => setCode(e.currentTarget.value)} />
      <button id="join" data-testid="join" type="submit" disabled={!enabled}>Join</button>
    </form>
  );
}
