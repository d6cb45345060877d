// The provider's accounts in Redis: sub -> {username, passwordHash, email, createdAt}, and each
// lower-cased username -> sub. `sub` is random and never changes; the username is only a login name.
// Creating one is a single script: the name is claimed with SET NX and the account written only if
// the claim won, so two racing sign-ups of one name cannot both succeed.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@gambit/common';
import { usernameKey } from '@gambit/protocol';
import type { IdpKeys } from './keys.js';

export interface Account {
  sub: string;
  username: string;
  passwordHash: string;
  email: string | null;
  createdAt: number;
}

const CREATE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('HSET', KEYS[2], 'username', ARGV[2], 'passwordHash', ARGV[3], 'email', ARGV[4], 'createdAt', ARGV[5])
  return 1
end
return 0`;

export class AccountStore {
  constructor(private readonly redis: RedisClient, private readonly keys: IdpKeys) {}

  /** The new account, or null when the name (in any case) is taken. */
  async create(username: string, passwordHash: string, email: string | null): Promise<Account | null> {
    const sub = randomUUID();
    const createdAt = Date.now();
    const won = await this.redis.eval(CREATE, 2, this.keys.username(usernameKey(username)), this.keys.account(sub),
      sub, username, passwordHash, email ?? '', String(createdAt));
    return won === 1 ? { sub, username, passwordHash, email, createdAt } : null;
  }

  async bySub(sub: string): Promise<Account | null> {
    const h = await this.redis.hgetall(this.keys.account(sub));
    if (!h.username || !h.passwordHash) return null;
    return { sub, username: h.username, passwordHash: h.passwordHash, email: h.email || null, createdAt: Number(h.createdAt) };
  }

  /** Case-insensitive, as usernames are unique regardless of case. */
  async byUsername(username: string): Promise<Account | null> {
    const sub = await this.redis.get(this.keys.username(usernameKey(username)));
    return sub ? this.bySub(sub) : null;
  }

  /** Replaces a hash made with older scrypt parameters (after a good sign-in). */
  async setPasswordHash(sub: string, passwordHash: string): Promise<void> {
    await this.redis.hset(this.keys.account(sub), 'passwordHash', passwordHash);
  }
}
