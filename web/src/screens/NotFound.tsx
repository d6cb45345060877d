// Any other path: say so, with a way home.
import { useBodyView } from '../hooks.js';
import { Notice } from '../components/Notice.js';

export function NotFound() {
  useBodyView('not-found');
  return <Notice title="No such page" testid="not-found"><p>There is nothing at this address.</p></Notice>;
}
