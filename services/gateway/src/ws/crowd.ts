// Each room's crowd (its spectators) across every gateway, as lila-ws keeps one. Every second this
// pod writes its share of the rooms whose spectators changed here (and every 10 s again, so a live
// share never reads as a dead gateway's), with one script that also sends all of the room's shares
// to each live gateway of the room (a `crowd` delivery on their event streams): each tells its own
// audience the new total from what it was sent. Nothing is polled: a pod reads a room's shares
// itself only when one of its sockets joins the room (it may have missed earlier changes), and each
// second counts again what it last heard, so that a dead gateway's share drops out once stale.
// (It read every local room's shares every second before: at a ply every 10 s per game, ten reads
// a move, more than the move's own commands; docs/capacity.md.)
import { GATEWAY_STREAM_RETAIN_MS, type RedisClient } from '@gambit/common';
import type { Keys, Logger } from '@gambit/common';
import { CROWD_NAMES, WRITTEN_GATEWAY_FIELDS, crowdDeliveryHalves, encodeCrowdShare, isAccountId, sumCrowd, type CrowdMsg } from '@gambit/protocol';
import { FAN_OUT, LIVE_BEAT_MS } from '../redis/fan-out.js';
import type { Hub } from './hub.js';

const REFRESH_MS = 10_000;
/** How long a room's crowd hash outlives its last write (the room's own keys last as long at most). */
const CROWD_TTL_MS = 3_600_000;

/**
 * KEYS: 1 the room's crowd hash, 2 the room's gateways, 3 live gateways (the room's shard's copy).
 * ARGV: 1 this gateway, 2 its share ('' to remove it), 3 the hash's TTL, 4 the delivery's halves
 * around the shares (5), 6 gateway stream prefix (of the room's shard), 7 how long a gateway stream
 * keeps an entry (ms), 8 the delivery field name, 9 oldest live heartbeat. Returns the shares' count.
 */
const SHARE = `#!lua${FAN_OUT}
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
local shares = redis.call('HVALS', KEYS[1])
local quoted = {}
for i, s in ipairs(shares) do quoted[i] = cjson.encode(s) end
fanOut(KEYS[2], KEYS[3], ARGV[6], ARGV[7], ARGV[9], ARGV[8], ARGV[4] .. table.concat(quoted, ',') .. ARGV[5])
return #shares`;

type Scripts = { gambitCrowdShare(...a: (string | number)[]): Promise<number> };

export class Crowd {
  private timer?: NodeJS.Timeout;
  private lastRefresh = 0;
  /** What each local audience was last told (the crowd JSON). */
  private readonly told = new Map<string, string>();
  /** Rooms this pod has a share in (to remove it when its last spectator goes). */
  private readonly shared = new Set<string>();
  /** The shares last heard of each room with an audience here (sent, or read at a join). */
  private readonly heard = new Map<string, readonly string[]>();

  constructor(private readonly redis: RedisClient, private readonly keys: Keys, private readonly gatewayId: string, private readonly hub: Hub, private readonly log: Logger, private readonly everyMs = 1000) {
    redis.defineCommand('gambitCrowdShare', { numberOfKeys: 3, lua: SHARE });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.log.warn({ err: String(err) }, 'crowd update failed')), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A `crowd` delivery: the room's shares, as a gateway's change left them. */
  received(room: string, shares: readonly string[], now = Date.now()): void {
    if (!this.hub.hasAudience(room)) return;
    this.hear(room, shares);
    this.tell(room, now, false);
  }

  /** Keeps what a room's shares say; a room nobody watches, and nobody was told of, is not kept. */
  private hear(room: string, shares: readonly string[]): void {
    if (shares.length === 0 && !this.told.has(room)) this.heard.delete(room);
    else this.heard.set(room, shares);
  }

  async tick(now = Date.now()): Promise<void> {
    const refresh = now - this.lastRefresh >= REFRESH_MS;
    if (refresh) this.lastRefresh = now;
    const rooms = new Set(refresh ? [...this.hub.spectatedRooms(), ...this.shared] : this.hub.crowdChanged);
    this.hub.crowdChanged.clear();
    const joined = [...this.hub.joined];
    this.hub.joined.clear();
    await Promise.all([...rooms].map((room) => this.share(room, now)));

    // A socket that joined has not heard the crowd: read the room's shares (also for rooms heard
    // of before: the delivery that made this socket's subscription may have come after a change).
    const reads = joined.filter((room) => this.hub.hasAudience(room));
    const results = await Promise.all(reads.map((room) => this.redis.hvals(this.keys.crowd(room))));
    reads.forEach((room, i) => {
      this.hear(room, results[i] ?? []);
      this.tell(room, now, true);
    });
    const read = new Set(reads);

    // Counted again: a share goes stale when its gateway stopped refreshing it (died).
    for (const room of this.heard.keys()) {
      if (!this.hub.hasAudience(room)) {
        this.heard.delete(room);
        this.told.delete(room);
      } else if (!read.has(room)) this.tell(room, now, false);
    }
  }

  /** Writes (or removes) this pod's share of `room`; the script sends the room's shares to its gateways. */
  private async share(room: string, now: number): Promise<void> {
    const specs = [...this.hub.spectatorsOf(room)];
    let share = '';
    if (specs.length === 0) this.shared.delete(room);
    else {
      // Names of signed-in spectators only (a guest's name is its own business), each once.
      const names = [...new Set(specs.map((c) => c.identity).filter((i) => i && isAccountId(i.playerId)).map((i) => i!.name))].slice(0, CROWD_NAMES);
      share = encodeCrowdShare({ n: specs.length, names, at: now });
      this.shared.add(room);
    }
    const k = this.keys;
    const shard = k.shardOf(room);
    const { pre, post } = crowdDeliveryHalves(room);
    await (this.redis as unknown as Scripts).gambitCrowdShare(
      k.crowd(room), k.roomGateways(room), k.shardGateways(shard),
      this.gatewayId, share, CROWD_TTL_MS, pre, post, k.gatewayEvents('', shard), GATEWAY_STREAM_RETAIN_MS, WRITTEN_GATEWAY_FIELDS.delivery, now - LIVE_BEAT_MS,
    );
  }

  /** Tells the room's audience here its crowd when it changed (or, `joined`, again for a newcomer). */
  private tell(room: string, now: number, joined: boolean): void {
    const { count, names } = sumCrowd(this.heard.get(room) ?? [], now);
    const text = JSON.stringify({ t: 'crowd', room, count, names } satisfies CrowdMsg);
    // Unchanged: only a newcomer hears it (again, for the others: harmless). Nobody watching and
    // nothing told yet: nothing to say.
    if ((this.told.get(room) === text && !joined) || (count === 0 && !this.told.has(room))) return;
    this.told.set(room, text);
    this.hub.sendToRoom(room, text);
  }
}
