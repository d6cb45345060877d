// Thin DynamoDB adapter: one transaction per finished game (with its ratings: rules/ratings.ts),
// and the reads behind the HTTP API (the account jobs' writes are in account-store.ts).
import {
  DescribeTableCommand, GetItemCommand, QueryCommand, TransactionCanceledException,
  type DynamoDBClient, type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { Logger } from '@gambit/common';
import { SPEEDS, TALLY_FIELDS, isStoredId, speedField, speedOf, type Color, type GameRecord, type PlayerRef, type RatingCopy, type Speed, type Tally } from '@gambit/protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import { Transactions } from '@gambit/dynamo';
import { PlayerQueue } from './player-queue.js';
import { fromItem, toItem, type Item } from './rules/attributes.js';
import {
  RATING_FIELDS, countsForRating, planRatings, ratingField, ratingView, storedRating,
  type GameRatings, type RatingPlan, type RatingView, type SideRating,
} from './rules/ratings.js';
import { PLAYER_INDEX, type TableNames } from './tables.js';

export type SaveOutcome = 'stored' | 'duplicate';
export type PlayerOutcome = 'win' | 'loss' | 'draw' | 'none';

export interface StoredGame extends GameRecord {
  storedAt: number;
  /** Rated games that changed ratings: each side's rating before and after. */
  ratings?: GameRatings;
}

/** One game from one player's side: what a game list shows. */
export interface PlayerGameSummary {
  gameId: string;
  room: string;
  color: Color;
  opponent: PlayerRef;
  result: GameRecord['result'];
  reason: GameRecord['reason'];
  outcome: PlayerOutcome;
  plies: number;
  tc: GameRecord['tc'];
  startedAt: number;
  endedAt: number;
  /** Rated games: this player's rating before and after (a rating history is a list of these). */
  rating?: SideRating;
}

export interface PlayerStats extends Tally {
  playerId: string;
  name: string;
  /** The same counts per speed (lichess's categories); a speed never played counts zeros. */
  speeds: Record<Speed, Tally>;
  /** The Glicko-2 rating per speed (1500, provisional, 0 games before the first rated game). */
  ratings: Record<Speed, RatingView>;
  createdAt: number;
  updatedAt: number;
}

export interface GamePage {
  games: PlayerGameSummary[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  next: string | null;
}

export class BadCursorError extends Error {
  override name = 'BadCursorError';
}

function outcomeFor(record: GameRecord, color: Color): PlayerOutcome {
  if (record.result === null) return 'none';
  if (record.result === '1/2-1/2') return 'draw';
  return record.winner === color ? 'win' : 'loss';
}

/** Stats count decided games between two different players; aborted games (no result) count nothing. */
export function countsForStats(record: GameRecord): boolean {
  return record.result !== null && record.white.playerId !== record.black.playerId;
}

/**
 * How often a rating write is read and tried again when a player's rating changed meanwhile (a
 * game of theirs stored by another finalizer: every lost race is someone else's progress), after
 * a short random wait that spreads the racers out.
 */
const RATING_RACES = 20;
const RACE_JITTER_MS = 20;

/**
 * The whole write of one game, as DynamoDB transaction items. Item 0 is the game itself. `plan`:
 * the ratings of a rated game, from the players' ratings as read (planRatings).
 */
export function buildSaveTransaction(record: GameRecord, names: TableNames, now: number, plan?: RatingPlan): TransactWriteItem[] {
  const game: TransactWriteItem = {
    Put: {
      TableName: names.games,
      Item: toItem({
        ...record, type: 'game', whitePlayerId: record.white.playerId, blackPlayerId: record.black.playerId,
        plies: record.uci.length, storedAt: now, ratings: plan?.ratings,
      }),
      // The idempotency check: a redelivered or replayed record cancels the whole transaction.
      ConditionExpression: 'attribute_not_exists(gameId)',
    },
  };
  const seats: [Color, PlayerRef, PlayerRef][] = [['white', record.white, record.black], ['black', record.black, record.white]];
  const rows: TransactWriteItem[] = seats.map(([color, me, opponent]) => ({
    Put: {
      TableName: names.games,
      Item: toItem({
        gameId: `${record.gameId}#${color}`, type: 'player-game', playerId: me.playerId, endedAt: record.endedAt,
        game: record.gameId, room: record.room, color, opponent, result: record.result, reason: record.reason,
        outcome: outcomeFor(record, color), plies: record.uci.length, tc: record.tc, startedAt: record.startedAt,
        rating: plan?.ratings[color],
      }),
    },
  }));
  if (!countsForStats(record)) return [game, ...rows];
  const speed = speedOf(record.tc);
  const stats: TransactWriteItem[] = seats.map(([color, me]) => {
    const outcome = outcomeFor(record, color);
    const rating = plan && ratingUpdate(plan, color);
    return {
      Update: {
        TableName: names.players,
        Key: toItem({ playerId: me.playerId }),
        // Overall and per speed (blitzGames, blitzWins...: flat attributes, one ADD).
        UpdateExpression:
          `SET #name = :name, updatedAt = :now, createdAt = if_not_exists(createdAt, :now)${rating?.set ?? ''} ` +
          `ADD games :one, wins :w, losses :l, draws :d, ${speedField(speed, 'games')} :one, ${speedField(speed, 'wins')} :w, ` +
          `${speedField(speed, 'losses')} :l, ${speedField(speed, 'draws')} :d`,
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: toItem({
          ':name': me.name, ':now': now, ':one': 1,
          ':w': outcome === 'win' ? 1 : 0, ':l': outcome === 'loss' ? 1 : 0, ':d': outcome === 'draw' ? 1 : 0,
          ...rating?.values,
        }),
        ...(rating ? { ConditionExpression: rating.condition } : {}),
      },
    };
  });
  return [game, ...rows, ...stats];
}

/**
 * One player's new rating, written only if their rating is still the one the plan was made from
 * (the count of rated games is its version): a game of theirs stored meanwhile cancels the write.
 */
function ratingUpdate(plan: RatingPlan, color: Color): { set: string; values: Record<string, number>; condition: string } {
  const { seen, next } = plan.seats[color];
  const f = (name: (typeof RATING_FIELDS)[number]) => ratingField(plan.speed, name);
  return {
    set: `, ${f('Rating')} = :rating, ${f('Rd')} = :rd, ${f('Vol')} = :vol, ${f('RatedAt')} = :ratedAt, ${f('RatedGames')} = :rated`,
    values: { ':rating': next.rating, ':rd': next.rd, ':vol': next.vol, ':ratedAt': next.ratedAt!, ':rated': seen + 1, ...(seen ? { ':seen': seen } : {}) },
    condition: seen === 0 ? `attribute_not_exists(${f('RatedGames')})` : `${f('RatedGames')} = :seen`,
  };
}

/** `g` is a player-game row key, `<gameId>#<color>`. */
const cursorSchema = z.object({
  g: z.string().refine((g) => /#(white|black)$/.test(g) && isStoredId(g.slice(0, g.lastIndexOf('#')))),
  e: z.number().int().min(0),
});

function encodeCursor(row: Item): string {
  const { gameId, endedAt } = fromItem(row) as { gameId: string; endedAt: number };
  return Buffer.from(JSON.stringify({ g: gameId, e: endedAt })).toString('base64url');
}

function decodeCursor(cursor: string, playerId: string): Item {
  let parsed: z.infer<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new BadCursorError('cursor is not one this API returned');
  }
  return toItem({ gameId: parsed.g, playerId, endedAt: parsed.e });
}

export interface StoreOptions {
  /** DYNAMODB_ENDPOINT is set: a local API that may lack transactions (see @gambit/dynamo). */
  local?: boolean;
  logger?: Logger;
  /**
   * After a rated game is stored: both players' new ratings for its speed (the matchmaker's copy
   * in Redis, wire/pairing.ts). A failure here is logged, never the game's: DynamoDB is the truth.
   */
  rated?: (speed: Speed, ratings: Record<string, RatingCopy>) => Promise<void>;
}

export class GameStore {
  private transactions?: Transactions;
  private readonly ratedPlayers = new PlayerQueue();

  constructor(private readonly client: DynamoDBClient, private readonly names: TableNames, private readonly opts: StoreOptions = {}) {}

  /** Stores a finished game and its players' stats at once; 'duplicate' when it was stored before. */
  async saveGame(record: GameRecord, now = Date.now()): Promise<SaveOutcome> {
    if (!countsForRating(record)) return this.save(record, now);
    return this.ratedPlayers.run([record.white.playerId, record.black.playerId], () => this.save(record, now));
  }

  private async save(record: GameRecord, now: number): Promise<SaveOutcome> {
    for (let race = 1; ; race++) {
      const plan = countsForRating(record) ? await this.planRatings(record) : undefined;
      try {
        await this.transactWrite(buildSaveTransaction(record, this.names, now, plan));
        if (plan && this.opts.rated) {
          const copies = { [record.white.playerId]: { rating: plan.ratings.white.after, rd: plan.ratings.white.rd }, [record.black.playerId]: { rating: plan.ratings.black.after, rd: plan.ratings.black.rd } };
          await this.opts.rated(plan.speed, copies).catch((err: unknown) => this.opts.logger?.warn({ err: String(err), gameId: record.gameId }, 'could not copy the new ratings for the matchmaker'));
        }
        return 'stored';
      } catch (err) {
        const reasons = err instanceof TransactionCanceledException ? err.CancellationReasons ?? [] : [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
        // A player's rating changed after it was read (another game of theirs was stored, or is
        // being stored): read it again. Beyond a few races, the caller's backoff takes over.
        const raced = reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
        if (!(plan && raced && race < RATING_RACES)) throw err;
        this.opts.logger?.info({ gameId: record.gameId, race }, 'a player\'s rating changed meanwhile: reading it again');
        await sleep(Math.random() * RACE_JITTER_MS * Math.min(race, 5));
      }
    }
  }

  /** Both players' ratings for the game's speed, read consistently, and the game's effect on them. */
  private async planRatings(record: GameRecord): Promise<RatingPlan> {
    const speed = speedOf(record.tc);
    const [white, black] = await Promise.all([record.white, record.black].map(async (p) => {
      const out = await this.client.send(new GetItemCommand({ TableName: this.names.players, Key: toItem({ playerId: p.playerId }), ConsistentRead: true }));
      return storedRating(out.Item && fromItem(out.Item), speed);
    }));
    return planRatings(record, white!, black!);
  }

  async getGame(gameId: string): Promise<StoredGame | null> {
    const out = await this.client.send(new GetItemCommand({
      TableName: this.names.games, Key: toItem({ gameId }), ConsistentRead: true,
    }));
    if (!out.Item) return null;
    // rev counts account-job rewrites (account-store.ts): an internal lock, not part of the record.
    const { type, whitePlayerId: _w, blackPlayerId: _b, plies: _p, rev: _r, ...game } = fromItem(out.Item);
    return type === 'game' ? (game as unknown as StoredGame) : null;
  }

  /** A player's games, newest first, `limit` at a time. Throws BadCursorError for a foreign cursor. */
  async listPlayerGames(playerId: string, limit = 20, cursor?: string): Promise<GamePage> {
    // One more than asked: tells whether an older page exists without returning an empty last page.
    const out = await this.client.send(new QueryCommand({
      TableName: this.names.games,
      IndexName: PLAYER_INDEX,
      KeyConditionExpression: 'playerId = :p',
      ExpressionAttributeValues: toItem({ ':p': playerId }),
      ScanIndexForward: false,
      Limit: limit + 1,
      ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor, playerId) } : {}),
    }));
    const rows = out.Items ?? [];
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      games: page.map((row) => {
        const r = fromItem(row) as unknown as PlayerGameSummary & { game: string };
        return {
          gameId: r.game, room: r.room, color: r.color, opponent: r.opponent, result: r.result, reason: r.reason,
          outcome: r.outcome, plies: r.plies, tc: r.tc, startedAt: r.startedAt, endedAt: r.endedAt,
          ...(r.rating ? { rating: r.rating } : {}),
        };
      }),
      next: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  async getPlayer(playerId: string, now = Date.now()): Promise<PlayerStats | null> {
    const out = await this.client.send(new GetItemCommand({
      TableName: this.names.players, Key: toItem({ playerId }), ConsistentRead: true,
    }));
    if (!out.Item) return null;
    // adoptedJobs: the adopt jobs merged into these stats (account-store.ts), internal.
    const { adoptedJobs: _a, ...item } = fromItem(out.Item) as Record<string, unknown>;
    const count = (name: string): number => (typeof item[name] === 'number' ? item[name] : 0);
    const tally = (sp: Speed): Tally => ({
      games: count(speedField(sp, 'games')), wins: count(speedField(sp, 'wins')), losses: count(speedField(sp, 'losses')), draws: count(speedField(sp, 'draws')),
    });
    const speeds = Object.fromEntries(SPEEDS.map((sp) => [sp, tally(sp)])) as Record<Speed, Tally>;
    const ratings = Object.fromEntries(SPEEDS.map((sp) => [sp, ratingView(storedRating(item, sp), now)])) as Record<Speed, RatingView>;
    const flat = new Set(SPEEDS.flatMap((sp) => [...TALLY_FIELDS.map((f) => speedField(sp, f)), ...RATING_FIELDS.map((f) => ratingField(sp, f))]));
    const rest = Object.fromEntries(Object.entries(item).filter(([k]) => !flat.has(k)));
    return { ...rest, speeds, ratings } as unknown as PlayerStats;
  }

  /** Readiness: the endpoint answers and the games table exists. */
  async ping(): Promise<void> {
    await this.client.send(new DescribeTableCommand({ TableName: this.names.games }));
  }

  /** One TransactWriteItems (@gambit/dynamo: emulated on a local endpoint without it). */
  async transactWrite(items: TransactWriteItem[]): Promise<void> {
    this.transactions ??= new Transactions(this.client, {
      local: this.opts.local === true, keyNames: { [this.names.games]: ['gameId'], [this.names.players]: ['playerId'] }, warn: (m) => this.opts.logger?.warn(m),
    });
    await this.transactions.write(items);
  }
}
