// The lobby: every open seek (newest first), live from any pod; one click accepts another's, one
// cancels one's own. The screen follows the lobby while it is shown and stops when it goes.
import { useEffect } from 'preact/hooks';
import type { SeekView } from '@gambit/protocol';
import { tcLabel } from '../format.js';
import { useLive } from './live-context.js';

const colorText: Record<SeekView['color'], string> = { white: 'plays White', black: 'plays Black', random: 'random colour' };

export function Lobby({ enabled }: { enabled: boolean }) {
  const live = useLive();
  useEffect(() => {
    live.followLobby();
    return () => live.unfollowLobby();
  }, [live]);
  const seeks = live.lobby ?? [];
  const me = live.identity.me?.playerId;
  return (
    <div class="card" id="lobby" data-testid="lobby">
      <h2>Lobby</h2>
      {seeks.length === 0 ? <p class="muted" data-testid="lobby-empty">No open seeks: open one with “Open to anyone”.</p> : (
        <table class="seeks">
          <tbody>
            {seeks.map((s) => (
              <tr key={s.id} data-testid="seek-row" data-seek={s.id}>
                <td>{s.name}</td>
                <td>{s.rating}</td>
                <td>{tcLabel(s.tc)}</td>
                <td>{s.rated ? 'rated' : 'casual'} · {colorText[s.color]}</td>
                <td>{s.playerId === me
                  ? <button type="button" data-testid="unseek" onClick={() => live.unseek(s.id)}>Cancel</button>
                  : <button type="button" class="primary" data-testid="accept" disabled={!enabled} onClick={() => live.accept(s.id)}>Play</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
