// The creator's screen until someone joins: the room code, the share link, copy and cancel.
import { copyText } from '../download.js';
import { tcLabel } from '../format.js';
import { roomPath } from '../routes.js';
import { toast } from '../toast.js';
import { useLive } from './live-context.js';

export const shareUrl = (room: string): string => `${location.origin}${roomPath(room)}`;

export function Waiting({ room }: { room: string }) {
  const live = useLive();
  const v = live.view;
  const url = shareUrl(room);
  return (
    <section id="waiting" class="card-stack">
      <div class="card">
        <h2>Waiting for an opponent</h2>
        <p>Share this code or link:</p>
        <code id="room-code" data-testid="room-code" class="room-code">{room}</code>
        <a id="share-link" data-testid="share-link" class="share-link" href={url}>{url}</a>
        <div class="row">
          <button id="copy-link" type="button" class="primary"
            onClick={async () => toast((await copyText(url)) ? 'Link copied' : 'Copy the link by hand', 2000)}>Copy link</button>
          <button id="cancel-room" type="button" onClick={() => live.cancelRoom()}>Cancel</button>
        </div>
        <p id="waiting-tc" class="muted">{v.tc ? `Time control ${tcLabel(v.tc)}${v.color ? ` · you play ${v.color}` : ''}` : ''}</p>
      </div>
    </section>
  );
}
