// Delete the account, after the person typed their username to confirm. The games stay (with a
// tombstone name); the profile, sessions, email and stats go. Then a fresh start on the home page.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { apiErrorText } from '../errors.js';

export function DeleteAccount({ username }: { username: string }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!open) return <button type="button" class="danger" onClick={() => setOpen(true)}>Delete my account</button>;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (typed !== username) return setProblem('Type your username exactly as shown to confirm.');
    setBusy(true);
    try {
      await api.deleteAccount(typed);
      location.assign('/'); // a full load: the old session is gone, the page starts as a new guest
    } catch (err) {
      setProblem(apiErrorText(err));
      setBusy(false);
    }
  };
  return (
    <form class="stack danger-zone" onSubmit={submit} data-testid="delete-form">
      <p>This deletes your profile, email, username and statistics. Your games stay, without your name. It cannot be undone.</p>
      <label>Type <strong>{username}</strong> to confirm
        <input value={typed} autoComplete="off" spellcheck={false} onInput={(e) => setTyped(e.currentTarget.value)} />
      </label>
      {problem && <p class="form-error" role="alert">{problem}</p>}
      <div class="row">
        <button type="submit" class="danger" disabled={busy || typed !== username}>Delete my account</button>
        <button type="button" onClick={() => { setOpen(false); setTyped(''); setProblem(null); }}>Cancel</button>
      </div>
    </form>
  );
}
