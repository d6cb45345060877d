// The sound switch beside the game's actions: on or off, kept per browser (sounds.ts).
import { useSubscription } from '../hooks.js';
import { useLive } from './live-context.js';

export function SoundSwitch() {
  const sounds = useLive().sounds;
  useSubscription(sounds.subscribe);
  return (
    <button id="sound" data-testid="sound" type="button" aria-pressed={sounds.on} title={sounds.on ? 'Turn sounds off' : 'Turn sounds on'}
      onClick={() => sounds.setOn(!sounds.on)}>{sounds.on ? '🔊 Sound' : '🔇 Muted'}</button>
  );
}
