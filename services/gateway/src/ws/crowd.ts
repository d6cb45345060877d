// Each room's crowd (its spectators) across every gateway, as lila-ws keeps one: every second this
// pod writes its share of the rooms whose spectators changed here (and every 10 s again, so a live
// share never reads as a dead gateway's), then reads the total of every room with an audience here
// and sends `crowd` to that audience when it changed. Costs one read per local room a second, sent
// together (each room's crowd is in its shard's Redis Cluster slot: no pipeline spans them).
import type { RedisClient } from '@gambit/common';
import type { Keys, Logger } from '@gambit/common';
import { CROWD_NAMES, encodeCrowdShare, isAccountId, sumCrowd, type CrowdMsg } from '@gambit/protocol';
import type { Hub } from './hub.js';

const REFRESH_MS = 10_000;

export class Crowd {
  private timer?: NodeJS.Timeout;
  private lastRefresh = 0;
  /** What each local audience was last told (the crowd JSON). */
  private readonly told = new Map<string, string>();
  /** Rooms this pod has a share in (to remove it when its last spectator goes). */
  private readonly shared = new Set<string>();

  constructor(private readonly redis: RedisClient, private readonly keys: Keys, private readonly gatewayId: string, private readonly hub: Hub, private readonly log: Logger, private readonly everyMs = 1000) {}

  start(): void {
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.log.warn({ err: String(err) }, 'crowd update failed')), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async tick(now = Date.now()): Promise<void> {
    const refresh = now - this.lastRefresh >= REFRESH_MS;
    if (refresh) this.lastRefresh = now;
    const writes: Promise<unknown>[] = [];
    const rooms = new Set(refresh ? [...this.hub.spectatedRooms(), ...this.shared] : this.hub.crowdChanged);
    this.hub.crowdChanged.clear();
    for (const room of rooms) {
      const specs = [...this.hub.spectatorsOf(room)];
      if (specs.length === 0) {
        writes.push(this.redis.hdel(this.keys.crowd(room), this.gatewayId));
        this.shared.delete(room);
        continue;
      }
      // Names of signed-in spectators only (a guest's name is its own business), each once.
      const names = [...new Set(specs.map((c) => c.identity).filter((i) => i && isAccountId(i.playerId)).map((i) => i!.name))].slice(0, CROWD_NAMES);
      writes.push(this.redis.hset(this.keys.crowd(room), this.gatewayId, encodeCrowdShare({ n: specs.length, names, at: now })), this.redis.pexpire(this.keys.crowd(room), 3_600_000));
      this.shared.add(room);
    }
    await Promise.all(writes);

    const local = [...this.hub.audienceRooms()];
    const here = new Set(local);
    for (const room of this.told.keys()) if (!here.has(room)) this.told.delete(room);
    const joined = new Set(this.hub.joined);
    this.hub.joined.clear();
    if (local.length === 0) return;
    const results = await Promise.all(local.map((room) => this.redis.hvals(this.keys.crowd(room))));
    local.forEach((room, i) => {
      const shares = results[i] ?? [];
      const { count, names } = sumCrowd(shares, now);
      const text = JSON.stringify({ t: 'crowd', room, count, names } satisfies CrowdMsg);
      // Unchanged: only sockets that joined since hear it (again, for the others: harmless).
      if ((this.told.get(room) === text && !joined.has(room)) || (count === 0 && !this.told.has(room))) return;
      this.told.set(room, text);
      this.hub.sendToRoom(room, text);
    });
  }
}
