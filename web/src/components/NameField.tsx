// The guest's display name. Committed on change (blur) and on Enter; a Create or Join clicked
// straight after typing commits it first (names.ts), so the game gets the name that was typed.
import { useLive } from './live-context.js';

export function NameField() {
  const live = useLive();
  const me = live.identity.me;
  if (me?.kind === 'user') {
    return <p class="muted" data-testid="playing-as">Playing as <strong>{me.name}</strong></p>;
  }
  return (
    <label class="name-field">Your name
      <input
        id="name" data-testid="name" maxLength={24} autoComplete="nickname" spellcheck={false}
        value={live.names.field}
        disabled={!live.free || live.noSession}
        onInput={(e) => {
          live.names.field = e.currentTarget.value;
          live.emit();
        }}
        onChange={() => void live.names.commit()}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void live.names.commit();
        }}
      />
    </label>
  );
}
