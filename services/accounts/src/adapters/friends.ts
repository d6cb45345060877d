// Friends in DynamoDB, both directions (seed 001): the friends table holds one item per player and
// other player (PK playerId, SK otherId) with the relation as that player sees it, so a player's
// list is one query. A change writes both items in one transaction, each on the condition that it
// is still the version read (two players acting on each other at once: one retries on fresh rows).
// Friends and blocks are copied to Redis sets per player: the gateway reads blocks when a player
// joins a pool, and friends for challenges and presence. Each change copies both rows as read after
// the write; reading a player's list copies it whole again (a Redis that lost its data heals there).
// On a Redis Cluster every player's friends, blocks and marker share the matchmaking slot `{mm}`
// (keys.ts), so each MULTI here, over one player or two, stays in one slot.
import {
  QueryCommand, TransactionCanceledException, GetItemCommand, DeleteItemCommand, type DynamoDBClient, type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { Transactions } from '@gambit/dynamo';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { RedisClient } from '@gambit/common';
import type { Keys } from '@gambit/common';
import { decideFriend, isBlocked, type FriendAction, type FriendError, type Row } from '../rules/friends.js';

interface Stored extends Row { playerId: string; otherId: string; v: number; since: number }

const ATTEMPTS = 5;

export class Friends {
  private readonly transactions: Transactions;

  constructor(private readonly db: DynamoDBClient, private readonly table: string, private readonly redis: RedisClient, private readonly keys: Keys, local = false) {
    this.transactions = new Transactions(db, { local, keyNames: { [table]: ['playerId', 'otherId'] } });
  }

  private async row(playerId: string, otherId: string): Promise<Stored | null> {
    const r = await this.db.send(new GetItemCommand({ TableName: this.table, Key: marshall({ playerId, otherId }), ConsistentRead: true }));
    return r.Item ? (unmarshall(r.Item) as Stored) : null;
  }

  /** `me` does `action` about `other`: both rows change together, or the reason it is refused. */
  async act(me: string, other: string, action: FriendAction, now = Date.now()): Promise<{ error: FriendError } | { mine: Row | null }> {
    for (let attempt = 1; ; attempt++) {
      const [mine, theirs] = await Promise.all([this.row(me, other), this.row(other, me)]);
      const out = decideFriend(action, mine, theirs);
      if ('error' in out) return out;
      try {
        await this.transactions.write([this.write(me, other, mine, out.mine, now), this.write(other, me, theirs, out.theirs, now)]);
      } catch (err) {
        if (err instanceof TransactionCanceledException && attempt < ATTEMPTS) continue; // the other acted meanwhile: read again
        throw err;
      }
      await this.mirror(me, other);
      return { mine: out.mine };
    }
  }

  /**
   * The Redis copies of whether the two are friends and whether they are blocked, from the row as it
   * is now (read again after the write: two players acting at once leave the copies as DynamoDB says).
   */
  async mirror(a: string, b: string): Promise<void> {
    const row = await this.row(a, b);
    const m = this.redis.multi();
    const set = (on: boolean, key: (x: string) => string) => (on ? m.sadd(key(a), b).sadd(key(b), a) : m.srem(key(a), b).srem(key(b), a));
    set(isBlocked(row), (x) => this.keys.blocks(x));
    set(row?.rel === 'friend', (x) => this.keys.friends(x));
    await m.exec();
  }

  /**
   * Copies `playerId`'s whole rows (as just listed, consistently) to their Redis sets, once after
   * Redis lost them: a marker says the copies were made since, so a list read while a change is
   * being mirrored never overwrites that change with what it read before.
   */
  async mirrorAll(playerId: string, rows: readonly Stored[]): Promise<void> {
    if (await this.redis.exists(this.keys.friendsCopied(playerId))) return;
    const friends = rows.filter((r) => r.rel === 'friend').map((r) => r.otherId);
    const blocks = rows.filter((r) => isBlocked(r)).map((r) => r.otherId);
    const m = this.redis.multi().del(this.keys.friends(playerId), this.keys.blocks(playerId));
    if (friends.length) m.sadd(this.keys.friends(playerId), ...friends);
    if (blocks.length) m.sadd(this.keys.blocks(playerId), ...blocks);
    // The marker lapses after a month: the copies are then made whole again once (an eviction that took a set but not it heals).
    await m.set(this.keys.friendsCopied(playerId), '1', 'PX', 30 * 24 * 3_600_000).exec();
  }

  /** A deleted account: every row about it, both ways, and its Redis copies go. */
  async forget(playerId: string): Promise<void> {
    for (const r of await this.list(playerId)) {
      await Promise.all([0, 1].map((i) => this.db.send(new DeleteItemCommand({
        TableName: this.table, Key: marshall(i === 0 ? { playerId, otherId: r.otherId } : { playerId: r.otherId, otherId: playerId }),
      }))));
      await this.redis.multi().srem(this.keys.friends(r.otherId), playerId).srem(this.keys.blocks(r.otherId), playerId).exec();
    }
    await this.redis.del(this.keys.friends(playerId), this.keys.blocks(playerId), this.keys.friendsCopied(playerId));
  }

  /** Every row of `playerId` (friends, requests both ways, blocks). */
  async list(playerId: string): Promise<Stored[]> {
    const rows: Stored[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.db.send(new QueryCommand({
        TableName: this.table, KeyConditionExpression: 'playerId = :p', ExpressionAttributeValues: marshall({ ':p': playerId }), ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: marshall(start) } : {}),
      }));
      rows.push(...(r.Items ?? []).map((i) => unmarshall(i) as Stored));
      start = r.LastEvaluatedKey ? unmarshall(r.LastEvaluatedKey) : undefined;
    } while (start);
    return rows;
  }

  private write(playerId: string, otherId: string, was: Stored | null, next: Row | null, now: number): TransactWriteItem {
    const condition = was
      ? { ConditionExpression: 'v = :v', ExpressionAttributeValues: marshall({ ':v': was.v }) }
      : { ConditionExpression: 'attribute_not_exists(playerId)' };
    if (!next) {
      // Nothing left between them: the item goes (on the condition that it is as read, if it existed).
      return { Delete: { TableName: this.table, Key: marshall({ playerId, otherId }), ...(was ? condition : {}) } };
    }
    const item: Stored = { ...next, playerId, otherId, v: (was?.v ?? 0) + 1, since: was && was.rel === next.rel ? was.since : now };
    return { Put: { TableName: this.table, Item: marshall(item, { removeUndefinedValues: true }), ...condition } };
  }
}
