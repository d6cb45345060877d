// Every Redis key and stream name, in one place. Multi-key operations (the engine's commit
// script) touch rooms, streams and sorted sets together, so Gambit needs a non-cluster Redis
// (one shard, replicas allowed), as ElastiCache offers with cluster mode disabled.
export interface Keys {
  /** Hash {v: version, s: JSON state} of one room. */
  room(code: string): string;
  /** List of the room's recent events (JSON), for resume. */
  roomLog(code: string): string;
  /** Set of gateway ids with sockets in the room: where its events go. */
  roomGateways(code: string): string;
  /** Sorted sets of deadlines scanned by engines (and later the controller). */
  flagDeadlines: string;
  reconnectDeadlines: string;
  roomExpiries: string;
  /** Command stream: gateway -> engines (consumer group ENGINE_GROUP). */
  commands: string;
  /** Each gateway's event stream: engines -> that gateway. */
  gatewayEvents(gw: string): string;
  /** Finished games: engines -> finalizers (consumer group FINALIZER_GROUP), and its dead letters. */
  finalize: string;
  finalizeDead: string;
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
  /** Marks a command that creates something as done, so a redelivery does not create it twice. */
  once(commandId: string): string;
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
  /** Games in play: a sorted set room -> start (ms) and a hash room -> summary (JSON), kept by the engine's commit. */
  liveGames: string;
  liveSummaries: string;
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

export function keys(prefix = 'gambit'): Keys {
  const p = prefix;
  return {
    room: (c) => `${p}:room:${c}`,
    roomLog: (c) => `${p}:room:${c}:log`,
    roomGateways: (c) => `${p}:room:${c}:gw`,
    flagDeadlines: `${p}:deadlines:flag`,
    reconnectDeadlines: `${p}:deadlines:reconnect`,
    roomExpiries: `${p}:deadlines:expiry`,
    commands: `${p}:stream:commands`,
    gatewayEvents: (gw) => `${p}:stream:gw:${gw}`,
    finalize: `${p}:stream:finalize`,
    finalizeDead: `${p}:stream:finalize:dead`,
    accountJobs: `${p}:stream:account-jobs`,
    accountJobsDead: `${p}:stream:account-jobs:dead`,
    conn: (id) => `${p}:conn:${id}`,
    gatewayConns: (gw) => `${p}:gw:${gw}:conns`,
    gatewayConnections: (gw) => `${p}:gw:${gw}:connections`,
    gateways: `${p}:gateways`,
    once: (id) => `${p}:once:${id}`,
    playerConns: (id) => `${p}:player:${id}:conns`,
    lastSeen: (id) => `${p}:player:${id}:seen`,
    session: (sid) => `${p}:session:${sid}`,
    userSessions: (id) => `${p}:player:${id}:sessions`,
    signIn: (state) => `${p}:signin:${state}`,
    sessionsEnded: `${p}:sessions:ended`,
    pool: (id, rated) => `${p}:pool:${id}:${rated ? 'rated' : 'casual'}`,
    ratings: (id) => `${p}:player:${id}:ratings`,
    playing: (id) => `${p}:player:${id}:playing`,
    blocks: (id) => `${p}:player:${id}:blocks`,
    friends: (id) => `${p}:player:${id}:friends`,
    friendsCopied: (id) => `${p}:player:${id}:friends:copied`,
    challengesIn: (id) => `${p}:player:${id}:challenges:in`,
    challengesOut: (id) => `${p}:player:${id}:challenges:out`,
    challengeRate: (id) => `${p}:player:${id}:challenges:rate`,
    liveGames: `${p}:live`,
    liveSummaries: `${p}:live:summaries`,
    crowd: (room) => `${p}:room:${room}:crowd`,
    chatLines: (room, channel) => `${p}:room:${room}:chat:${channel}`,
    mutes: (id) => `${p}:player:${id}:mutes`,
    chatReports: `${p}:stream:chat-reports`,
    seeks: `${p}:seeks`,
    seeksVersion: `${p}:seeks:version`,
  };
}

/** MAXLEN (approximate) of each stream: bounded, and far above what a healthy consumer leaves behind. */
export const STREAM_MAXLEN = {
  commands: 100_000,
  gatewayEvents: 10_000,
  finalize: 1_000_000,
} as const;

export const ENGINE_GROUP = 'engines';
export const FINALIZER_GROUP = 'finalizers';
