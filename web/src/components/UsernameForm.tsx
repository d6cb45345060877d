// Change the username: checked in words before sending (the protocol's usernameProblem), the
// API's refusals (taken, too soon) as sentences.
import { useState } from 'preact/hooks';
import { api, type Account } from '../api.js';
import { apiErrorText } from '../errors.js';
import { USERNAME_RULE, usernameProblem } from '@gambit/protocol/username';

export function UsernameForm({ account, onChanged }: { account: Account; onChanged(a: Account): void }) {
  const [name, setName] = useState(account.username);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const wanted = name.trim();
    setDone(false);
    const bad = usernameProblem(wanted) ?? (wanted === account.username ? 'That is your username already.' : null);
    setProblem(bad);
    if (bad) return;
    setBusy(true);
    try {
      onChanged(await api.renameAccount(wanted));
      setDone(true);
    } catch (err) {
      setProblem(apiErrorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="stack" onSubmit={submit} data-testid="username-form">
      <label>Username
        <input value={name} maxLength={20} autoComplete="username" spellcheck={false} aria-invalid={problem !== null}
          data-testid="username-input" onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <p class="muted small">{USERNAME_RULE}</p>
      {problem && <p class="form-error" role="alert" data-testid="username-error">{problem}</p>}
      {done && <p class="ok" role="status">Your username is now {account.username}.</p>}
      <button type="submit" disabled={busy}>Change username</button>
    </form>
  );
}
