// The lobby on this pod: the sockets that follow the open seeks get the list when they ask and
// again whenever it changes, on any pod (the seeks' version counter is polled, twice a second by
// default, and the list read only when it moved). The list is encoded once for all followers, but
// a follower never sees the seeks of players they blocked or who blocked them (as of following).
import type { Logger } from '@gambit/common';
import { seekView, type LobbyMsg, type SeekEntry } from '@gambit/protocol';

export interface Follower {
  send(msg: LobbyMsg): void;
  sendRaw(text: string | Buffer): void;
}

export interface LobbySource {
  version(): Promise<string>;
  list(): Promise<SeekEntry[]>;
}

export class Lobby {
  /** Each follower and the players whose seeks it is not shown. */
  private readonly followers = new Map<Follower, ReadonlySet<string>>();
  private seen = '';
  private timer?: NodeJS.Timeout;

  constructor(private readonly seeks: LobbySource, private readonly log: Logger, private readonly everyMs = 500) {}

  /** `f` follows the lobby from now on; it gets the list at once (answering `id`), without `blocked` players' seeks. */
  async follow(f: Follower, id?: string, blocked: ReadonlySet<string> = new Set()): Promise<void> {
    this.followers.set(f, blocked);
    const seeks = visible(await this.seeks.list(), blocked).map(seekView);
    f.send(id === undefined ? { t: 'lobby', seeks } : { t: 'lobby', id, seeks });
  }

  unfollow(f: Follower): void {
    this.followers.delete(f);
  }

  start(): void {
    this.timer = setInterval(() => void this.poll().catch((err: unknown) => this.log.warn({ err: String(err) }, 'lobby poll failed')), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.followers.size === 0) return;
    const version = await this.seeks.version();
    if (version === this.seen) return;
    const all = await this.seeks.list();
    const text = Buffer.from(JSON.stringify({ t: 'lobby', seeks: all.map(seekView) } satisfies LobbyMsg));
    this.seen = version; // only once the list was read: a failed read is tried again next time
    for (const [f, blocked] of this.followers) {
      const shown = visible(all, blocked);
      if (shown === all) f.sendRaw(text);
      else f.send({ t: 'lobby', seeks: shown.map(seekView) });
    }
  }
}

/** The seeks `blocked` leaves to see (the same array when it hides none). */
function visible(seeks: SeekEntry[], blocked: ReadonlySet<string>): SeekEntry[] {
  if (blocked.size === 0 || !seeks.some((s) => blocked.has(s.playerId))) return seeks;
  return seeks.filter((s) => !blocked.has(s.playerId));
}
