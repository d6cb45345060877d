// Thin DynamoDB adapter of the account jobs (what to write is decided in rules/account-jobs.ts):
// finding a player's games through the byPlayer index, handing one seat over in one transaction,
// deleting a player's stats, merging a guest's stats into a user's exactly once.
import {
  DeleteItemCommand, GetItemCommand, QueryCommand, TransactionCanceledException,
  type DynamoDBClient, type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { SPEEDS, TALLY_FIELDS, speedField, type Color, type PlayerRef } from '@gambit/protocol';
import { planSeatRewrite, type GameSeats, type SeatChange } from './rules/account-jobs.js';
import { fromItem, toItem, type Item } from './rules/attributes.js';
import type { PlayerStats } from './store.js';
import { PLAYER_INDEX, type TableNames } from './tables.js';

/** The counters of a players item: overall and per speed. */
const countFields: string[] = [...TALLY_FIELDS, ...SPEEDS.flatMap((sp) => TALLY_FIELDS.map((f) => speedField(sp, f)))];

export type RewriteOutcome = 'rewritten' | 'done' | 'foreign' | 'missing';
export type MergeOutcome = 'merged' | 'already' | 'nothing';

/** Runs transaction items (GameStore.transactWrite: real, or emulated on dynalite). */
export type Transact = (items: TransactWriteItem[]) => Promise<void>;

/** A transaction cancelled because an item changed under it (its condition, or a concurrent transaction): read again and retry. */
function raced(err: unknown, item?: number): boolean {
  if (!(err instanceof TransactionCanceledException)) return false;
  const reasons = err.CancellationReasons ?? [];
  const bad = (r?: { Code?: string }) => r?.Code === 'ConditionalCheckFailed' || r?.Code === 'TransactionConflict';
  return item === undefined ? reasons.some(bad) : bad(reasons[item]);
}

/** Attempts per game or merge when other writers keep changing the items (each attempt reads them afresh). */
const RACE_ATTEMPTS = 5;

const other = (c: Color): Color => (c === 'white' ? 'black' : 'white');

export class AccountStore {
  constructor(private readonly client: DynamoDBClient, private readonly names: TableNames, private readonly transact: Transact) {}

  /** Every seat `playerId` has in a stored game, from the byPlayer index (eventually consistent). */
  async listSeats(playerId: string): Promise<{ gameId: string; color: Color }[]> {
    const seats: { gameId: string; color: Color }[] = [];
    let start: Item | undefined;
    do {
      const out = await this.client.send(new QueryCommand({
        TableName: this.names.games, IndexName: PLAYER_INDEX, KeyConditionExpression: 'playerId = :p',
        ExpressionAttributeValues: toItem({ ':p': playerId }), ProjectionExpression: '#g, color',
        ExpressionAttributeNames: { '#g': 'game' }, ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      for (const row of out.Items ?? []) {
        const r = fromItem(row) as { game: string; color: Color };
        seats.push({ gameId: r.game, color: r.color });
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return seats;
  }

  /**
   * Hands the seat `color` of one game from `change.from` to `change.to`: the game item (seat,
   * `<color>PlayerId`, PGN tag; at the revision read), the opponent's row, then the seat's own row,
   * in one transaction. Each write sets absolute values, and the own row goes last, so even the
   * item-by-item emulation on dynalite, cut anywhere, is completed by running it again.
   */
  async rewriteSeat(gameId: string, color: Color, change: SeatChange): Promise<RewriteOutcome> {
    for (let attempt = 1; ; attempt++) {
      const [game, row] = await Promise.all([
        this.read(this.names.games, { gameId }, '#w, #b, pgn, rev, #t', { '#w': 'white', '#b': 'black', '#t': 'type' }),
        this.read(this.names.games, { gameId: `${gameId}#${color}` }, 'playerId'),
      ]);
      const plan = planSeatRewrite(game?.type === 'game' ? (game as unknown as GameSeats) : null, row as { playerId: string } | null, color, change);
      if (!plan.write) return plan.why;
      try {
        await this.transact(this.seatItems(gameId, color, change, plan.game));
        return 'rewritten';
      } catch (err) {
        if (!raced(err) || attempt >= RACE_ATTEMPTS) throw err;
      }
    }
  }

  private seatItems(gameId: string, color: Color, change: SeatChange, game: { ref: PlayerRef; pgn: string; rev: number } | null): TransactWriteItem[] {
    const T = this.names.games;
    const items: TransactWriteItem[] = [];
    if (game) {
      items.push({
        Update: {
          TableName: T, Key: toItem({ gameId }),
          UpdateExpression: 'SET #seat = :ref, #seatId = :pid, pgn = :pgn, rev = :next',
          // Another job (the opponent's) may rewrite the other seat meanwhile: its PGN must not be lost.
          ConditionExpression: game.rev === 0 ? 'attribute_not_exists(rev)' : 'rev = :rev',
          ExpressionAttributeNames: { '#seat': color, '#seatId': `${color}PlayerId` },
          ExpressionAttributeValues: toItem({
            ':ref': game.ref, ':pid': game.ref.playerId, ':pgn': game.pgn, ':next': game.rev + 1,
            ...(game.rev === 0 ? {} : { ':rev': game.rev }),
          }),
        },
      });
    }
    items.push({
      Update: {
        TableName: T, Key: toItem({ gameId: `${gameId}#${other(color)}` }),
        UpdateExpression: 'SET opponent = :ref', ConditionExpression: 'attribute_exists(gameId)',
        ExpressionAttributeValues: toItem({ ':ref': change.to }),
      },
    });
    items.push({
      Update: {
        TableName: T, Key: toItem({ gameId: `${gameId}#${color}` }),
        UpdateExpression: 'SET playerId = :to', ConditionExpression: 'playerId = :from',
        ExpressionAttributeValues: toItem({ ':to': change.to.playerId, ':from': change.from }),
      },
    });
    return items;
  }

  /** Deletes a player's stats item; true when there was one. */
  async deletePlayer(playerId: string): Promise<boolean> {
    const out = await this.client.send(new DeleteItemCommand({
      TableName: this.names.players, Key: toItem({ playerId }), ReturnValues: 'ALL_OLD',
    }));
    return out.Attributes !== undefined;
  }

  /**
   * Adds the guest's stats into the user's item and deletes the guest's, in one transaction, once
   * per job: the user's item records the job id (`adoptedJobs`, a string set) and the update is
   * conditional on its absence. The guest's item is deleted only as it was read (a game counted
   * meanwhile cancels the transaction, and it is read again).
   */
  async mergeStats(jobId: string, from: string, to: PlayerRef, now: number): Promise<MergeOutcome> {
    for (let attempt = 1; ; attempt++) {
      const guest = (await this.read(this.names.players, { playerId: from })) as PlayerStats | null;
      if (!guest) return 'nothing';
      // Every count the guest has, overall and per speed (blitzWins...), added to the user's.
      const counts = countFields.filter((f) => typeof (guest as unknown as Record<string, unknown>)[f] === 'number');
      const items: TransactWriteItem[] = [
        {
          Update: {
            TableName: this.names.players, Key: toItem({ playerId: to.playerId }),
            UpdateExpression:
              'SET #name = if_not_exists(#name, :name), createdAt = if_not_exists(createdAt, :created), updatedAt = :now ' +
              `ADD ${counts.map((f) => `${f} :${f}, `).join('')}adoptedJobs :jobs`,
            ConditionExpression: 'attribute_not_exists(adoptedJobs) OR NOT contains(adoptedJobs, :job)',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: toItem({
              ':name': to.name, ':created': guest.createdAt ?? now, ':now': now, ':jobs': new Set([jobId]), ':job': jobId,
              ...Object.fromEntries(counts.map((f) => [`:${f}`, (guest as unknown as Record<string, number>)[f]])),
            }),
          },
        },
        {
          Delete: {
            TableName: this.names.players, Key: toItem({ playerId: from }),
            ConditionExpression: 'games = :g AND updatedAt = :u',
            ExpressionAttributeValues: toItem({ ':g': guest.games, ':u': guest.updatedAt }),
          },
        },
      ];
      try {
        await this.transact(items);
        return 'merged';
      } catch (err) {
        if (raced(err, 0) && (err as TransactionCanceledException).CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'already';
        if (!raced(err) || attempt >= RACE_ATTEMPTS) throw err;
      }
    }
  }

  private async read(table: string, key: Record<string, string>, projection?: string, names?: Record<string, string>): Promise<Record<string, unknown> | null> {
    const out = await this.client.send(new GetItemCommand({
      TableName: table, Key: toItem(key), ConsistentRead: true,
      ...(projection ? { ProjectionExpression: projection } : {}), ...(names ? { ExpressionAttributeNames: names } : {}),
    }));
    return out.Item ? fromItem(out.Item) : null;
  }
}
