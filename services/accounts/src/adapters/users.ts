// Accounts in DynamoDB. Usernames are unique regardless of case through the usernames table: a name
// is claimed with a conditional write (free, already mine, or its hold has passed), so two players
// racing for one name cannot both get it. dynalite (development) has no transactions, so a rename is
// three conditional steps in an order where a crash between them leaves at worst a name claimed by
// its would-be owner (free to take again by that owner), never a name pointing at two accounts.
import {
  BatchGetItemCommand, type BatchGetItemCommandOutput, ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { usernameKey } from '@gambit/protocol';
import type { AccountTables } from './tables.js';

export interface User {
  playerId: string;
  username: string;
  email: string | null;
  issuer: string;
  sub: string;
  createdAt: number;
  usernameChangedAt: number | null;
}

/** `changed`: the account was renamed meanwhile by another request (nothing done here). */
export type RenameOutcome = 'renamed' | 'taken' | 'changed';

export class Users {
  constructor(private readonly db: DynamoDBClient, private readonly t: AccountTables, private readonly holdMs: number) {}

  async get(playerId: string): Promise<User | null> {
    const r = await this.db.send(new GetItemCommand({ TableName: this.t.users, Key: marshall({ playerId }), ConsistentRead: true }));
    return r.Item ? (unmarshall(r.Item) as User) : null;
  }

  /** Many accounts at once (a friends list): BatchGetItem, 100 keys a call; deleted ones are absent. */
  async many(playerIds: readonly string[]): Promise<Map<string, User>> {
    const found = new Map<string, User>();
    const ids = [...new Set(playerIds)];
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map((playerId) => marshall({ playerId }));
      for (let attempt = 0; keys?.length; attempt++) {
        // Throttled keys are asked again after a growing pause; a list with friends missing is never answered.
        if (attempt === 5) throw new Error(`users: ${keys.length} keys still unprocessed after 5 attempts`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const r: BatchGetItemCommandOutput = await this.db.send(new BatchGetItemCommand({ RequestItems: { [this.t.users]: { Keys: keys as never, ConsistentRead: true } } }));
        for (const item of r.Responses?.[this.t.users] ?? []) {
          const u = unmarshall(item) as User;
          found.set(u.playerId, u);
        }
        keys = r.UnprocessedKeys?.[this.t.users]?.Keys;
      }
    }
    return found;
  }

  /** The account holding a username now (any case); a held (given-up) name belongs to nobody. */
  async byUsername(name: string): Promise<User | null> {
    const r = await this.db.send(new GetItemCommand({ TableName: this.t.usernames, Key: marshall({ nameKey: usernameKey(name) }) }));
    if (!r.Item) return null;
    const item = unmarshall(r.Item) as { playerId: string; heldUntil?: number };
    if (item.heldUntil !== undefined) return null;
    return this.get(item.playerId);
  }

  /** A first sign-in: the account with the first free name of `candidates`; the existing one if a racing callback made it first. */
  async create(u: Omit<User, 'username' | 'usernameChangedAt'>, candidates: string[]): Promise<User> {
    for (const name of candidates) {
      if (!(await this.claim(name, u.playerId))) continue;
      const user: User = { ...u, username: name, usernameChangedAt: null };
      try {
        await this.db.send(new PutItemCommand({
          TableName: this.t.users, Item: marshall(user, { removeUndefinedValues: true }), ConditionExpression: 'attribute_not_exists(playerId)',
        }));
        return user;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        const existing = (await this.get(u.playerId))!;
        if (usernameKey(existing.username) !== usernameKey(name)) await this.release(name, u.playerId);
        return existing;
      }
    }
    throw new Error('no free username among the candidates');
  }

  /** Claim the new name, point the account at it, then hold the old one for the hold period. */
  async rename(user: User, wanted: string, now = Date.now()): Promise<{ outcome: RenameOutcome; user: User }> {
    const sameName = usernameKey(wanted) === usernameKey(user.username);
    if (!sameName && !(await this.claim(wanted, user.playerId, now))) return { outcome: 'taken', user };
    const next: User = { ...user, username: wanted, usernameChangedAt: now };
    try {
      await this.db.send(new UpdateItemCommand({
        TableName: this.t.users, Key: marshall({ playerId: user.playerId }),
        UpdateExpression: 'SET username = :new, usernameChangedAt = :now',
        ConditionExpression: 'username = :old',
        ExpressionAttributeValues: marshall({ ':new': wanted, ':now': now, ':old': user.username }),
      }));
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // Renamed meanwhile by another request of the same player: give the claim back.
      if (!sameName) await this.release(wanted, user.playerId);
      return { outcome: 'changed', user };
    }
    if (sameName) {
      // Only the case changed: the name item keeps its key and owner.
      return { outcome: 'renamed', user: next };
    }
    await this.hold(user.username, user.playerId, now);
    return { outcome: 'renamed', user: next };
  }

  /** The account is gone; its name is held, then free. */
  async delete(user: User, now = Date.now()): Promise<void> {
    await this.db.send(new DeleteItemCommand({ TableName: this.t.users, Key: marshall({ playerId: user.playerId }) }));
    await this.hold(user.username, user.playerId, now);
  }

  /** Free, already mine, or held past its time: mine now. */
  private async claim(name: string, playerId: string, now = Date.now()): Promise<boolean> {
    try {
      await this.db.send(new PutItemCommand({
        TableName: this.t.usernames, Item: marshall({ nameKey: usernameKey(name), playerId }),
        ConditionExpression: 'attribute_not_exists(nameKey) OR playerId = :me OR heldUntil < :now',
        ExpressionAttributeValues: marshall({ ':me': playerId, ':now': now }),
      }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  private async hold(name: string, playerId: string, now: number): Promise<void> {
    await this.db.send(new UpdateItemCommand({
      TableName: this.t.usernames, Key: marshall({ nameKey: usernameKey(name) }),
      UpdateExpression: 'SET heldUntil = :until', ConditionExpression: 'playerId = :me',
      ExpressionAttributeValues: marshall({ ':until': now + this.holdMs, ':me': playerId }),
    })).catch((err: unknown) => {
      if (!(err instanceof ConditionalCheckFailedException)) throw err; // someone else's now: nothing to hold
    });
  }

  private async release(name: string, playerId: string): Promise<void> {
    await this.db.send(new DeleteItemCommand({
      TableName: this.t.usernames, Key: marshall({ nameKey: usernameKey(name) }),
      ConditionExpression: 'playerId = :me AND attribute_not_exists(heldUntil)', ExpressionAttributeValues: marshall({ ':me': playerId }),
    })).catch((err: unknown) => {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    });
  }
}
