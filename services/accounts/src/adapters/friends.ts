// Friends in DynamoDB, both directions (seed 001): the friends table holds one item per player and
// other player (PK playerId, SK otherId) with the relation as that player sees it, so a player's
// list is one query. A change writes both items in one transaction, each on the condition that it
// is still the version read (two players acting on each other at once: one retries on fresh rows).
// Blocks are copied to a Redis set per player, read by the gateway when a player joins a pool.
import {
  QueryCommand, TransactionCanceledException, GetItemCommand, type DynamoDBClient, type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { Transactions } from '@gambit/dynamo';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Redis } from 'ioredis';
import type { Keys } from '@gambit/common';
import { decideFriend, isBlocked, type FriendAction, type FriendError, type Row } from '../rules/friends.js';

interface Stored extends Row { playerId: string; otherId: string; v: number; since: number }

const ATTEMPTS = 5;

export class Friends {
  private readonly transactions: Transactions;

  constructor(private readonly db: DynamoDBClient, private readonly table: string, private readonly redis: Redis, private readonly keys: Keys, local = false) {
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
      await this.mirrorBlocks(me, other);
      return { mine: out.mine };
    }
  }

  /**
   * The Redis copy of whether the two are blocked, from the rows as they are now (read again after
   * the write: two players blocking and unblocking at once leave the copy as DynamoDB says).
   */
  async mirrorBlocks(a: string, b: string): Promise<void> {
    const blocked = isBlocked(await this.row(a, b));
    const key = (x: string) => this.keys.blocks(x);
    if (blocked) await this.redis.multi().sadd(key(a), b).sadd(key(b), a).exec();
    else await this.redis.multi().srem(key(a), b).srem(key(b), a).exec();
  }

  /** Every row of `playerId` (friends, requests both ways, blocks). */
  async list(playerId: string): Promise<Stored[]> {
    const rows: Stored[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.db.send(new QueryCommand({
        TableName: this.table, KeyConditionExpression: 'playerId = :p', ExpressionAttributeValues: marshall({ ':p': playerId }),
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
