// One chaos scenario: many games played by resilient players across the gateways, a fault in the
// middle, then the invariants: every game ends with exactly one correct record, every move a
// player saw confirmed is in it in order, PGNs replay, stats are counted once, ratings replay
// through the pure module (every other game is rated, between signed-in players who each play
// many games at once, so rating writes race), and no clock was charged for an outage.
import { Chess } from 'chess.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ProcessStack } from '../support/processes.js';
import { guest } from '../support/player.js';
import { waitForProgress } from '../support/progress.js';
import { prng } from '../support/fuzz.js';
import { randomLine } from '../support/games.js';
import { ResilientPlayer } from './player.js';
import { SocketTokens } from '@gambit/common';
import { overCounted, ratingProblems } from '../support/ratings-check.js';

/**
 * The services' settings under chaos load: one machine plays hundreds of players, so the per-address
 * and per-socket limits are opened, and a dead finalizer's entries are claimed after a second.
 */
export const CHAOS_ENV = {
  gateway: { MAX_CONNECTIONS_PER_IP: '10000', JOIN_RATE_PER_MIN: '100000', RATE_PER_SEC: '1000', RATE_BURST: '1000' },
  finalizer: { CLAIM_IDLE_MS: '1000' },
};

export interface Fault {
  name: string;
  /** Runs the fault; resolves with how long the dependency was away (ms), for the clock check. */
  apply(stack: ProcessStack): Promise<number>;
  /** After all games ended (e.g. replaying dead letters). */
  after?(stack: ProcessStack): Promise<void>;
  /** What the fault itself saw (e.g. keys before a Redis kill and after its restart), for the report. */
  notes?: Record<string, string | number>;
}

export interface Report {
  fault: string;
  games: number;
  movesConfirmed: number;
  records: number;
  lostMoves: number;
  duplicateRecords: number;
  badPgns: number;
  /** A player whose stats count the game twice (or more): must never happen. */
  statsWrong: number;
  /** A player whose stats miss the game: only possible with dynalite's emulated (non-atomic) transactions. */
  statsMissing: number;
  /** Rated games stored, and what a replay of them through the ratings module finds wrong (support/ratings-check.ts). */
  ratedGames: number;
  ratingProblems: string[];
  /** Players counting more rated games than stored (a game rated twice): must never happen. */
  ratingsDoubled: string[];
  /** Games with no record but parked in the dead-letter stream (written nowhere else: a failure to explain). */
  deadLettered: number;
  /** Longest time from a game's end to its record (s): how far behind the finalizers ran. */
  worstFinalizeLagS: number;
  reconnects: number;
  outageMs: number;
  /** Longest time any game waited between two confirmed moves, beyond the players' thinking. */
  worstStallMs: number;
  /** Most a mover was charged beyond the time from the opponent's move's commit to its own send (ms): the send's transit; must stay small. */
  worstClockExcessMs: number;
  /**
   * Longest event-loop delay (ms) seen during the games by the players' process and the live
   * gateways: how long a send can wait on a starved machine before a gateway reads it. That wait is
   * transit, not queueing: the clock bound allows it on top of its second.
   */
  worstLoopDelayMs: number;
  secondsToAllEnded: number;
  /** Games with neither a record nor a dead letter (counted in lostMoves too, one each). */
  noRecord: number;
  /** Moves either player saw confirmed that are not at their ply in the record (all of a game's when it has none). */
  confirmedMovesLost: number;
  /** Players told `room_not_found` for their own room, and the games they were in. */
  roomNotFoundPlayers: number;
  roomNotFoundGames: number;
  /** Games not ended for both players when the scenario stopped waiting (only with `measure`; the room gone or stuck). */
  neverEnded: number;
  /** Players who reloaded after `stale_ply` (measure only: the room went back to an older copy). */
  reloads: number;
  /** Error codes players received, with counts ("code:n,..."). */
  errorCodes: string;
  /** The fault's notes (Fault.notes), copied at the end. */
  notes: Record<string, string | number>;
}

/** A gateway's longest event-loop delay since its last scrape (ms), from its /metrics; 0 if it does not answer. */
async function gatewayLoopDelayMs(base: string): Promise<number> {
  const text = await fetch(`${base}/metrics`).then((r) => r.text(), () => '');
  const m = /^gambit_nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(text);
  return m ? Number(m[1]) * 1000 : 0;
}

export function aliveGateways(stack: ProcessStack): string[] {
  return stack.procs.filter((p) => p.name === 'gateway' && p.child.exitCode === null && p.child.signalCode === null)
    .map((p) => `http://127.0.0.1:${p.port}`);
}

/**
 * `measure`: a measurement, not a test: a game whose room is gone (`room_not_found`) counts as over,
 * and games that stop moving for `stallMs` are counted as never ended instead of failing the run.
 */
type ScenarioOptions = { games: number; plies: number; faultAfterMs: number; measure?: { stallMs: number } };

export async function runScenario(stack: ProcessStack, fault: Fault | null, opts: ScenarioOptions): Promise<Report> {
  const players: ResilientPlayer[] = [];
  try {
    return await scenario(stack, fault, opts, players);
  } finally {
    // However it ended: no player keeps reconnecting into the next test file's time.
    players.forEach((p) => p.stop());
  }
}

async function scenario(stack: ProcessStack, fault: Fault | null, opts: ScenarioOptions, players: ResilientPlayer[]): Promise<Report> {
  const gateways = () => aliveGateways(stack);
  const think = prng(7);
  const pairs: [ResilientPlayer, ResilientPlayer][] = [];
  // Rated games need accounts (u_ ids): tokens signed with the gateways' key, as the accounts
  // service signs them. A few accounts share the rated games, each in many at once.
  const tokens = await SocketTokens.fromPem(stack.signingKey, [], 3600);
  const accounts = Math.max(4, Math.ceil(opts.games / 20));
  const account = (i: number) => tokens.sign({ playerId: `u_chaos${i}`, name: `chaos${i}`, kind: 'user' });
  for (let g = 0; g < opts.games; g++) {
    const moves = randomLine(prng(1000 + g), opts.plies);
    const mk = async (name: string, i: number, token?: Promise<string>) =>
      new ResilientPlayer(name, await (token ?? guest(gateways()[0]!, name).then((x) => x.token)), gateways, moves, () => 150 + think() * 250, i);
    const j = g / 2; // rated game number, for even g: white j, black another account
    const pair: [ResilientPlayer, ResilientPlayer] = g % 2 === 0
      ? [await mk(`w${g}`, g, account(j % accounts)), await mk(`b${g}`, g + 1, account((j + 1 + (Math.floor(j / accounts) % (accounts - 1))) % accounts))]
      : [await mk(`w${g}`, g), await mk(`b${g}`, g + 1)];
    pairs.push(pair);
    players.push(...pair);
  }
  if (opts.measure) for (const p of players) p.reloadOnStale = true;
  // Event-loop delays from here on: this process's own, and each gateway's (prom-client's
  // eventloop_lag_max resets at every scrape, so scraping now starts the window).
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  await Promise.all(gateways().map((g) => gatewayLoopDelayMs(g)));
  // Start the games in batches: create, join, and the clocks run.
  const started = Date.now();
  for (let i = 0; i < pairs.length; i += 25) {
    await Promise.all(pairs.slice(i, i + 25).map(async ([w, b], n) => {
      await Promise.all([w.connect(), b.connect()]);
      const created = w.next((m) => m.t === 'created');
      w.send({ t: 'create', tc: { initialMs: 600_000, incrementMs: 0 }, color: 'white', ...((i + n) % 2 === 0 ? { rated: true } : {}) });
      const room = String((await created).room);
      const joined = b.next((m) => m.t === 'joined');
      b.send({ t: 'join', room });
      await joined;
    }));
  }

  let outageMs = 0;
  if (fault) {
    await new Promise((r) => setTimeout(r, opts.faultAfterMs));
    outageMs = await fault.apply(stack);
  }
  // However slow the machine, games move on until they end: fail only when they stop moving.
  // Measuring: a player whose game has said nothing for 8 s reloads, as a person would.
  const silent = opts.measure ? setInterval(() => players.forEach((p) => p.reloadIfSilent(8_000)), 1_000).unref() : undefined;
  const over = ([w, b]: [ResilientPlayer, ResilientPlayer]) => (w.ended && b.ended) || (opts.measure !== undefined && (w.roomGone || b.roomGone));
  await waitForProgress(() => ({
    done: pairs.every(over),
    progress: players.reduce((n, p) => n + p.confirmed.size + (p.ended ? 1 : 0), 0),
    detail: `${players.filter((p) => !p.ended).length / 2} games open`,
  }), { stallMs: opts.measure?.stallMs ?? 60_000, message: 'games did not end' }).catch((err: Error) => {
    if (opts.measure) return; // counted below as never ended
    // Say what the processes said before they died, and how many games are open.
    const dead = stack.procs.filter((p) => p.child.exitCode !== null || p.child.signalCode !== null)
      .map((p) => `${p.name}:${p.port} (${p.child.exitCode ?? p.child.signalCode}): ${p.lines.slice(-8).join(' | ')}`);
    const open = pairs.filter(([w, b]) => !w.ended || !b.ended).slice(0, 5).map(([w, b]) => `room ${w.room}: ${w.describe()} | ${b.describe()}`);
    throw new Error(`${err.message}: ${players.filter((p) => !p.ended).length / 2} still open (${open.join('; ')}); dead: ${dead.join('\n')}`);
  });
  clearInterval(silent);
  const secondsToAllEnded = (Date.now() - started) / 1000;
  loop.disable();
  const worstLoopDelayMs = Math.max(loop.max / 1e6, ...(await Promise.all(gateways().map((g) => gatewayLoopDelayMs(g)))));
  if (fault?.after) await fault.after(stack);

  // Every game has ended, so every finalize entry is in the stream. Once the finalizers have
  // acknowledged them all, each one is either stored or parked as a dead letter: a game with
  // neither is lost (acknowledged without a record), whatever the machine's speed.
  await settled(stack);
  const records = await recordsByRoom(stack);
  const parked = await deadLetteredRooms(stack);
  const report: Report = {
    fault: fault?.name ?? 'none', games: opts.games, movesConfirmed: 0, records: 0, lostMoves: 0, duplicateRecords: 0,
    badPgns: 0, statsWrong: 0, statsMissing: 0, ratedGames: 0, ratingProblems: [], ratingsDoubled: [], deadLettered: 0, worstFinalizeLagS: 0, reconnects: players.reduce((n, p) => n + p.reconnects, 0), outageMs, worstStallMs: 0, worstClockExcessMs: 0,
    worstLoopDelayMs: Math.round(worstLoopDelayMs), secondsToAllEnded, noRecord: 0, confirmedMovesLost: 0,
    roomNotFoundPlayers: players.filter((p) => p.roomGone).length, roomNotFoundGames: pairs.filter(([w, b]) => w.roomGone || b.roomGone).length,
    neverEnded: pairs.filter(([w, b]) => !(w.ended && b.ended)).length, reloads: players.reduce((n, p) => n + p.reloads, 0), errorCodes: '', notes: {},
  };
  const codes = new Map<string, number>();
  for (const p of players) for (const c of p.errors) codes.set(c, (codes.get(c) ?? 0) + 1);
  report.errorCodes = [...codes].map(([c, n]) => `${c}:${n}`).join(',') || 'none';
  const players_ = await scanAll(stack, `${stack.keyPrefix}-players`);
  const statsById = new Map(players_.map((p) => [String(p.playerId), p]));
  // What each player's stats should count: their decided games among the records.
  const expected = new Map<string, { games: number; outcomes: number }>();
  for (const rec of [...records.values()].flat()) {
    if (rec.result === null) continue;
    for (const seat of [rec.white, rec.black] as { playerId: string }[]) {
      const e = expected.get(seat.playerId) ?? { games: 0, outcomes: 0 };
      expected.set(seat.playerId, { games: e.games + 1, outcomes: e.outcomes + 1 });
    }
  }
  for (const [playerId, e] of expected) {
    const s = statsById.get(playerId);
    const games = Number(s?.games ?? 0);
    const outcomes = Number(s?.wins ?? 0) + Number(s?.losses ?? 0) + Number(s?.draws ?? 0);
    if (games > e.games || outcomes > e.outcomes || games !== outcomes) report.statsWrong += 1;
    else if (games < e.games) report.statsMissing += 1;
  }
  report.ratedGames = [...records.values()].flat().filter((r) => r.ratings).length;
  report.ratingProblems = ratingProblems([...records.values()].flat(), players_);
  report.ratingsDoubled = overCounted([...records.values()].flat(), players_);
  for (const [w, b] of pairs) {
    const recs = records.get(w.room!) ?? [];
    report.records += recs.length ? 1 : 0;
    // Confirmed plies, as either player saw them, against the record's moves (none without a record).
    const seenPlies = new Map<number, string>();
    for (const p of [w, b]) for (const c of p.confirmed.values()) seenPlies.set(c.ply, c.uci);
    const stored = recs.length ? (recs[0]!.uci as string[]) : [];
    for (const [ply, uci] of seenPlies) if (stored[ply - 1] !== uci) report.confirmedMovesLost += 1;
    if (recs.length !== 1) {
      report.duplicateRecords += Math.max(0, recs.length - 1);
      if (!recs.length && parked.has(w.room!)) report.deadLettered += 1;
      else if (!recs.length) {
        report.lostMoves += 1;
        report.noRecord += 1;
      }
      continue;
    }
    const rec = recs[0]!;
    report.worstFinalizeLagS = Math.max(report.worstFinalizeLagS, (Number(rec.storedAt) - Number(rec.endedAt)) / 1000);
    const uci = rec.uci as string[];
    // Every move either player saw confirmed is in the record, at its ply.
    for (const p of [w, b]) for (const c of p.confirmed.values()) {
      if (uci[c.ply - 1] !== c.uci) report.lostMoves += 1;
    }
    report.movesConfirmed += uci.length;
    // The PGN replays to the stored moves and result.
    try {
      const chess = new Chess();
      chess.loadPgn(String(rec.pgn));
      const ok = chess.history().join(' ') === (rec.san as string[]).join(' ') && String(rec.pgn).includes(`[Result "${rec.result ?? '*'}"]`);
      if (!ok) report.badPgns += 1;
    } catch {
      report.badPgns += 1;
    }
    // Stalls and clocks, from what the players saw.
    const seen = [...w.confirmed.values()].sort((x, y) => x.ply - y.ply);
    for (let i = 1; i < seen.length; i++) {
      const mover = seen[i]!.ply % 2 === 1 ? w : b;
      const side = seen[i]!.ply % 2 === 1 ? 'white' : 'black';
      const thought = (mover.sentAt.get(seen[i]!.ply) ?? seen[i]!.seenAt) - (mover.thinkStarted.get(seen[i - 1]!.ply) ?? seen[i - 1]!.seenAt);
      report.worstStallMs = Math.max(report.worstStallMs, seen[i]!.seenAt - seen[i - 1]!.seenAt - Math.max(0, thought));
      // The mover's clock runs from the commit of the opponent's move (its clock.at, server time on
      // this same machine) until the mover's move reaches a gateway: never for time the move spent
      // queued or waiting for a dead engine's entry to be claimed. So the charge is at most the time
      // from that commit to the mover's (last) send, plus the send's own transit. Time cut off by a
      // fault before the send is charged, as on lichess (the report's stall column shows it).
      const charged = seen[i - 1]!.clock[side] - seen[i]!.clock[side];
      const sent = mover.sentAt.get(seen[i]!.ply) ?? seen[i]!.seenAt;
      report.worstClockExcessMs = Math.max(report.worstClockExcessMs, charged - (sent - seen[i - 1]!.clock.at));
    }
  }
  report.notes = { ...fault?.notes };
  return report;
}

/**
 * Waits until the finalizers have acknowledged every entry of the finalize stream: the group has
 * read up to the stream's last entry and nothing is pending. (XINFO's `lag` can be nil, which reads
 * as 0: the ids are compared instead.) Fails only if they stop acknowledging for a minute.
 */
async function settled(stack: ProcessStack): Promise<void> {
  const { Redis } = await import('ioredis');
  const { keys, FINALIZER_GROUP } = await import('@gambit/common');
  const redis = new Redis(stack.redis.url);
  const k = keys(stack.keyPrefix);
  const field = (flat: unknown[], name: string) => flat[flat.indexOf(name) + 1];
  try {
    await waitForProgress(async () => {
      const stream = (await redis.xinfo('STREAM', k.finalize(0))) as unknown[];
      const groups = (await redis.xinfo('GROUPS', k.finalize(0))) as unknown[][];
      const g = groups.find((x) => field(x, 'name') === FINALIZER_GROUP) ?? [];
      const pending = Number(field(g, 'pending') ?? 0);
      const read = Number(field(g, 'entries-read') ?? 0);
      const caughtUp = field(g, 'last-delivered-id') === field(stream, 'last-generated-id');
      return { done: caughtUp && pending === 0, progress: read - pending, detail: `${pending} pending, ${read} read of ${String(field(stream, 'entries-added'))}` };
    }, { stallMs: 60_000, message: 'finalize stream not drained' });
  } finally {
    redis.disconnect();
  }
}

/** Rooms whose finalize entry was parked in the dead-letter stream. */
async function deadLetteredRooms(stack: ProcessStack): Promise<Set<string>> {
  const { Redis } = await import('ioredis');
  const { keys } = await import('@gambit/common');
  const { decodeDeadLetter } = await import('@gambit/protocol');
  const redis = new Redis(stack.redis.url);
  try {
    const rows = await redis.xrange(keys(stack.keyPrefix).finalizeDead(0), '-', '+');
    return new Set(rows.map(([id, f]) => {
      const dead = decodeDeadLetter(id, f);
      return 'malformed' in dead ? dead.key : dead.original.key;
    }));
  } finally {
    redis.disconnect();
  }
}

async function scanAll(stack: ProcessStack, table: string): Promise<Record<string, unknown>[]> {
  const db = new DynamoDBClient({ endpoint: stack.dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const items: Record<string, unknown>[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []).map((i) => unmarshall(i)));
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  db.destroy();
  return items;
}

/** Every game record in DynamoDB, by room. */
async function recordsByRoom(stack: ProcessStack): Promise<Map<string, Record<string, unknown>[]>> {
  const byRoom = new Map<string, Record<string, unknown>[]>();
  for (const g of (await scanAll(stack, stack.gamesTable)).filter((i) => i.type === 'game')) {
    byRoom.set(String(g.room), [...(byRoom.get(String(g.room)) ?? []), g]);
  }
  return byRoom;
}

export function formatReports(reports: Report[]): string {
  const cols: (keyof Report)[] = [
    'fault', 'games', 'movesConfirmed', 'records', 'lostMoves', 'duplicateRecords', 'deadLettered', 'badPgns', 'statsWrong', 'statsMissing', 'ratedGames',
    'reconnects', 'outageMs', 'worstStallMs', 'worstClockExcessMs', 'worstLoopDelayMs', 'secondsToAllEnded', 'worstFinalizeLagS',
  ];
  const rows = reports.map((r) => cols.map((c) => (typeof r[c] === 'number' ? String(Math.round(Number(r[c]) * 10) / 10) : String(r[c]))));
  return [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/**
 * After a fault: one new game, start to record, on the processes as they are now (none restarted).
 * Says how long it took, or what failed: a service wedged by the fault shows here.
 */
export async function probeGame(stack: ProcessStack, timeoutMs = 30_000): Promise<string> {
  const t = Date.now();
  const gws = () => aliveGateways(stack);
  const line = randomLine(prng(99), 4);
  const mk = async (name: string, i: number) => new ResilientPlayer(name, (await guest(gws()[0]!, name)).token, gws, line, () => 50, i);
  const step = <T>(what: string, p: Promise<T>): Promise<T> =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} after ${timeoutMs} ms`)), timeoutMs))]);
  let w: ResilientPlayer | undefined, b: ResilientPlayer | undefined;
  try {
    w = await mk('probe-w', 0);
    b = await mk('probe-b', 1);
    await Promise.all([w.connect(), b.connect()]);
    const created = w.next((m) => m.t === 'created' || m.t === 'error');
    w.send({ t: 'create', tc: { initialMs: 60_000, incrementMs: 0 }, color: 'white' });
    const c = await step('no answer to create', created);
    if (c.t === 'error') return `failed: create answered ${String(c.code)}`;
    const joined = b.next((m) => m.t === 'joined');
    const ended = Promise.all([w.next((m) => m.t === 'ended'), b.next((m) => m.t === 'ended')]);
    b.send({ t: 'join', room: String(c.room) });
    await step('no answer to join', joined);
    await step('the game did not end', ended);
    const room = String(c.room);
    const stored = async () => (await recordsByRoom(stack)).has(room);
    const until = Date.now() + timeoutMs;
    while (!(await stored())) {
      if (Date.now() > until) return `failed: no record of ${room} after ${timeoutMs} ms`;
      await new Promise((r) => setTimeout(r, 250));
    }
    return `ok (${((Date.now() - t) / 1000).toFixed(1)} s to record)`;
  } catch (err) {
    // Where the room's events should have gone: the gateways registered alive, and the room's own.
    const { Redis } = await import('ioredis');
    const { keys } = await import('@gambit/common');
    const redis = new Redis(stack.redis.url);
    const k = keys(stack.keyPrefix);
    const alive = await redis.zrange(k.gateways, '0', '-1', 'WITHSCORES').catch((e: Error) => [e.message]);
    const roomGws = w?.room ? await redis.smembers(k.roomGateways(w.room)).catch((e: Error) => [e.message]) : [];
    redis.disconnect();
    return `failed: ${(err as Error).message}; ${w?.describe() ?? ''} | ${b?.describe() ?? ''}; gateways registered [${alive.join(',')}], room's [${roomGws.join(',')}]`;
  } finally {
    w?.stop();
    b?.stop();
  }
}
