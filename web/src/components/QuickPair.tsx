// Quick pairing: one click on a pool (lichess's grid of time controls) and the server finds an
// opponent; while it looks, the pool shows as searching with a cancel button. Rated pools are for
// signed-in players (the box is off for guests: the server would refuse them).
import { POOL_IDS, poolTimeControl, type PoolId } from '@gambit/protocol/pools';
import { speedOf } from '@gambit/protocol/speed';
import { useState } from 'preact/hooks';
import { tcLabel } from '../format.js';
import { useLive } from './live-context.js';

const label = (id: PoolId) => tcLabel(poolTimeControl(id));
const speedName = (id: PoolId) => speedOf(poolTimeControl(id)).replace(/^./, (c) => c.toUpperCase());

export function QuickPair({ enabled }: { enabled: boolean }) {
  const live = useLive();
  const signedIn = live.identity.me?.kind === 'user';
  const [rated, setRated] = useState(false);
  const seeking = live.seeking;
  return (
    <div class="card" id="quick-pair" data-testid="quick-pair">
      <h2>Quick pairing</h2>
      {seeking ? (
        <div class="searching" role="status" data-testid="searching">
          <p>Looking for an opponent: {label(seeking.pool)} {seeking.rated ? 'rated' : 'casual'}…</p>
          <button type="button" data-testid="cancel-pool" onClick={() => live.cancelQuickPair()}>Cancel</button>
        </div>
      ) : (
        <div class="pools">
          {POOL_IDS.map((id) => (
            <button type="button" key={id} data-testid={`pool-${id}`} disabled={!enabled} onClick={() => live.quickPair(id, rated && signedIn)}>
              <strong>{label(id)}</strong><small>{speedName(id)}</small>
            </button>
          ))}
        </div>
      )}
      <label class="check" title={signedIn ? 'Ratings change with the result' : 'Sign in to play rated games'}>
        <input type="checkbox" data-testid="pool-rated" checked={rated && signedIn} disabled={!signedIn || seeking !== null}
          onChange={(e) => setRated(e.currentTarget.checked)} />
        Rated{signedIn ? '' : ' (sign in)'}
      </label>
    </div>
  );
}
