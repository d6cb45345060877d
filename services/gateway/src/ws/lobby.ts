// The lobby on this pod: the sockets that follow the open seeks get the list when they ask and
// again whenever it changes, on any pod (the seeks' version counter is polled, twice a second by
// default, and the list read only when it moved). The list is encoded once for all followers.
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
  private readonly followers = new Set<Follower>();
  private seen = '';
  private timer?: NodeJS.Timeout;

  constructor(private readonly seeks: LobbySource, private readonly log: Logger, private readonly everyMs = 500) {}

  /** `f` follows the lobby from now on; it gets the list at once (answering `id`). */
  async follow(f: Follower, id?: string): Promise<void> {
    this.followers.add(f);
    const seeks = (await this.seeks.list()).map(seekView);
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
    const text = Buffer.from(JSON.stringify({ t: 'lobby', seeks: (await this.seeks.list()).map(seekView) } satisfies LobbyMsg));
    this.seen = version; // only once the list was read: a failed read is tried again next time
    for (const f of this.followers) f.sendRaw(text);
  }
}
