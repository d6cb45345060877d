// Every Redis key and stream name, in one place. The engine's commit script touches a room, the
// streams and the sorted sets together, so those keys share one Redis Cluster slot: rooms are spread
// over ROOM_SHARDS shards, each shard's keys carry its hash tag (`{r3.40}`), and every stream and
// scanned set exists once per shard (docs/redis-cluster.md). With one shard (the default) the names
// are those of every earlier release, without tags. On a Redis Cluster (`cluster: true`) every key
// carries a tag, even with one shard: a player's matchmaking and social keys share the `{mm}` slot
// (the pairing scripts read and write them together), account jobs `{acct}`, a gateway's `{gw:<id>}`.
import calculateSlot from 'cluster-key-slot';

export interface Keys {
  /** Laid out for a Redis Cluster (every key tagged; docs/redis-cluster.md). */
  cluster: boolean;
  /**
   * Where a pairing script (pool, seek, challenge) puts a game's `pair` command routed by `key` (a player id, a connection id, a pair room code): on a
   * single Redis the command stream of that player's shard; on a Cluster the matchmaking outbox
   * `{mm}:stream:pairs`, which the engines read beside the shards' command streams.
   */
  pairCommands(key: string): string;
  /** The matchmaking outbox on a Cluster (null on a single Redis, where pairs go to command streams). */
  pairs: string | null;
  /** How many room shards, and a room's: a fixed function of its code (changing the count moves rooms). */
  shards: number;
  shardOf(room: string): number;
  /** 0 .. shards - 1. */
  allShards: readonly number[];
  /** Hash {v: version, s: JSON state} of one room. */
  room(code: string): string;
  /** List of the room's recent events (JSON), for resume. */
  roomLog(code: string): string;
  /** Set of gateway ids with sockets in the room: where its events go. */
  roomGateways(code: string): string;
  /** Sorted sets of deadlines scanned by engines (and later the controller), per shard. */
  flagDeadlines(shard: number): string;
  reconnectDeadlines(shard: number): string;
  roomExpiries(shard: number): string;
  /** Command streams: gateway -> engines (consumer group ENGINE_GROUP), one per shard. */
  commands(shard: number): string;
  /** Each gateway's event streams, one per shard: engines -> that gateway. */
  gatewayEvents(gw: string, shard: number): string;
  /** Finished games: engines -> finalizers (consumer group FINALIZER_GROUP), and their dead letters, per shard. */
  finalize(shard: number): string;
  finalizeDead(shard: number): string;
  /** Account jobs (erase, adopt): accounts -> finalizers (consumer group FINALIZER_GROUP), and its dead letters. */
  accountJobs: string;
  accountJobsDead: string;
  /** Connection registry: which gateway holds which socket of which player, in which rooms. */
  conn(connId: string): string;
  gatewayConns(gw: string): string;
  /** Open sockets on a gateway (a number, refreshed by its heartbeat, expiring if it dies): scaling input. */
  gatewayConnections(gw: string): string;
  /** Sorted set gateway id -> last heartbeat (ms): the controller finds dead pods here. */
  gateways: string;
  /** The same, copied into each shard for the scripts that fan a room's events out (with one shard, `gateways` itself). */
  shardGateways(shard: number): string;
  /** Sorted set engine id -> when its lease runs out (ms): the live engines, which split the shards' command streams (SHARD_LEASE_MS). */
  engines: string;
  /** Marks a command that creates something as done, so a redelivery does not create it twice (in the shard it arrived on). */
  once(commandId: string, shard: number): string;
  /** A player's sockets (connection ids; the conn keys say which are still open) and when the last one closed (ms). */
  playerConns(playerId: string): string;
  lastSeen(playerId: string): string;
  /** A browser session (accounts service; JSON), its user's sessions (a set, to end them all), a sign-in in flight. */
  session(sid: string): string;
  userSessions(playerId: string): string;
  signIn(state: string): string;
  /** Pub/sub channel: handles of sessions that ended (sign-out, account deleted); gateways close their sockets. */
  sessionsEnded: string;
  /** Hash playerId -> waiting entry (JSON) of one quick-pairing pool, rated or casual (packages/pairing). */
  pool(id: string, rated: boolean): string;
  /** Games in play: a sorted set room -> start (ms) and a hash room -> summary (JSON), kept by the engine's commit, per shard. */
  liveGames(shard: number): string;
  liveSummaries(shard: number): string;
  /** Hash gateway -> its spectators of one room (JSON count and names), each share expiring if its gateway dies. */
  crowd(room: string): string;
  /** Hash seekId -> seek entry (JSON) of the lobby, and a counter raised by every change of it. */
  seeks: string;
  seeksVersion: string;
  /** Set of the players a player blocked or is blocked by (a copy of the friends table, for the matchmaker). */
  blocks(playerId: string): string;
  /** Set of a player's friends (a copy of the friends table, for challenges and presence), and a marker that both copies were made whole. */
  friends(playerId: string): string;
  friendsCopied(playerId: string): string;
  /** Hashes challengeId -> entry of the open challenges to and by a player, and a counter of the challenges they made this minute. */
  challengesIn(playerId: string): string;
  challengesOut(playerId: string): string;
  challengeRate(playerId: string): string;
  /** A room's chat: each channel's last lines (list; the counters and mode are fields of the room's hash); the players a player muted (set); reports (stream). */
  chatLines(room: string, channel: 'players' | 'spectators'): string;
  mutes(playerId: string): string;
  chatReports: string;
  /** The room of the game a player is playing now (set by the engine's commit at the start, deleted at the end). */
  playing(playerId: string): string;
  /** Hash speed -> "rating rd" of a player's current ratings, copied by the finalizer for the matchmaker. */
  ratings(playerId: string): string;
}

/** Most shards a deployment may have (each is one Cluster slot and one blocking read per reader). */
export const MAX_ROOM_SHARDS = 1024;
const SLOTS = 16384;

/**
 * Shard `s` of `n`'s hash tag: `r<s>.<k>` with the smallest k whose slot is in the s-th of n equal
 * parts of the slot space, so the even split of slots over any number of primaries spreads the
 * shards evenly (plain `r0`..`r15` land 4 / 8 / 4 on three primaries).
 */
export function shardTag(s: number, n: number): string {
  const lo = Math.floor((s * SLOTS) / n);
  const hi = Math.floor(((s + 1) * SLOTS) / n);
  for (let k = 0; ; k++) {
    const slot = calculateSlot(`r${s}.${k}`);
    if (slot >= lo && slot < hi) return `r${s}.${k}`;
  }
}

export function keys(prefix = 'gambit', shards = 1, mode: 'single' | 'cluster' = 'single'): Keys {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_ROOM_SHARDS) throw new Error(`room shards must be a whole number from 1 to ${MAX_ROOM_SHARDS}, not ${shards}`);
  const p = prefix;
  // `${at(s)}` begins every key of shard s: the prefix alone with one shard (the names of old).
  const cluster = mode === 'cluster';
  const tags = Array.from({ length: shards }, (_, s) => (shards === 1 && !cluster ? p : `${p}:{${shardTag(s, shards)}}`));
  const at = (s: number) => tags[s] ?? (() => { throw new Error(`no room shard ${s} of ${shards}`); })();
  const shardOf = (room: string) => (shards === 1 ? 0 : calculateSlot(room) % shards);
  const inRoom = (c: string) => `${at(shardOf(c))}:room:${c}`;
  // The matchmaking slot, account jobs, one gateway's own keys (tagged on a Cluster only).
  const mm = cluster ? `${p}:{mm}` : p;
  const acct = cluster ? `${p}:{acct}` : p;
  const gwOwn = (gw: string) => (cluster ? `${p}:{gw:${gw}}` : `${p}:gw:${gw}`);
  const pairs = cluster ? `${mm}:stream:pairs` : null;
  return {
    cluster,
    pairs,
    pairCommands: (key) => pairs ?? `${at(shardOf(key))}:stream:commands`,
    shards,
    shardOf,
    allShards: Array.from({ length: shards }, (_, s) => s),
    room: (c) => inRoom(c),
    roomLog: (c) => `${inRoom(c)}:log`,
    roomGateways: (c) => `${inRoom(c)}:gw`,
    flagDeadlines: (s) => `${at(s)}:deadlines:flag`,
    reconnectDeadlines: (s) => `${at(s)}:deadlines:reconnect`,
    roomExpiries: (s) => `${at(s)}:deadlines:expiry`,
    commands: (s) => `${at(s)}:stream:commands`,
    gatewayEvents: (gw, s) => `${at(s)}:stream:gw:${gw}`,
    finalize: (s) => `${at(s)}:stream:finalize`,
    finalizeDead: (s) => `${at(s)}:stream:finalize:dead`,
    accountJobs: `${acct}:stream:account-jobs`,
    accountJobsDead: `${acct}:stream:account-jobs:dead`,
    conn: (id) => `${p}:conn:${id}`,
    gatewayConns: (gw) => `${gwOwn(gw)}:conns`,
    gatewayConnections: (gw) => `${gwOwn(gw)}:connections`,
    gateways: `${p}:gateways`,
    shardGateways: (s) => `${at(s)}:gateways`,
    engines: `${p}:engines`,
    once: (id, s) => `${at(s)}:once:${id}`,
    playerConns: (id) => `${p}:player:${id}:conns`,
    lastSeen: (id) => `${p}:player:${id}:seen`,
    session: (sid) => `${p}:session:${sid}`,
    userSessions: (id) => `${p}:player:${id}:sessions`,
    signIn: (state) => `${p}:signin:${state}`,
    sessionsEnded: `${p}:sessions:ended`,
    pool: (id, rated) => `${mm}:pool:${id}:${rated ? 'rated' : 'casual'}`,
    ratings: (id) => `${mm}:player:${id}:ratings`,
    playing: (id) => `${mm}:player:${id}:playing`,
    blocks: (id) => `${mm}:player:${id}:blocks`,
    friends: (id) => `${mm}:player:${id}:friends`,
    friendsCopied: (id) => `${mm}:player:${id}:friends:copied`,
    challengesIn: (id) => `${mm}:player:${id}:challenges:in`,
    challengesOut: (id) => `${mm}:player:${id}:challenges:out`,
    challengeRate: (id) => `${mm}:player:${id}:challenges:rate`,
    liveGames: (s) => `${at(s)}:live`,
    liveSummaries: (s) => `${at(s)}:live:summaries`,
    crowd: (room) => `${inRoom(room)}:crowd`,
    chatLines: (room, channel) => `${inRoom(room)}:chat:${channel}`,
    mutes: (id) => `${p}:player:${id}:mutes`,
    chatReports: `${p}:stream:chat-reports`,
    seeks: `${mm}:seeks`,
    seeksVersion: `${mm}:seeks:version`,
  };
}

/** MAXLEN (approximate) of each stream: bounded, and far above what a healthy consumer leaves behind. */
export const STREAM_MAXLEN = {
  commands: 100_000,
  gatewayEvents: 10_000,
  finalize: 1_000_000,
} as const;

/**
 * How long a gateway's event stream keeps an entry (ms): its gateway reads it at once, so a stream
 * holds seconds of events, trimmed by age (XADD MINID, in Redis's clock) rather than by length. A
 * gateway holds one stream per room shard: trimmed by length, each filled up to its MAXLEN for good
 * and the streams' memory grew with gateways x shards (docs/capacity.md). The MAXLEN above still
 * bounds the answers written to one socket from outside a script.
 */
export const GATEWAY_STREAM_RETAIN_MS = 120_000;

export const ENGINE_GROUP = 'engines';
export const FINALIZER_GROUP = 'finalizers';
