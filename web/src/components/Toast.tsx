// The short message that goes away by itself (toast.ts holds it).
import { subscribeToast, toastMessage } from '../toast.js';
import { useSubscription } from '../hooks.js';

export function Toast() {
  useSubscription(subscribeToast);
  const message = toastMessage();
  return <div id="toast" class="toast" role="alert" hidden={message === null}>{message ?? ''}</div>;
}
