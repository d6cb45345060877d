// Failed sign-ins counted in Redis per username and per client address, each counter living one
// window from its first failure. What the counts mean (blocked, for how long) is rules.ts's.
import type { RedisClient } from '@gambit/common';
import { usernameKey } from '@gambit/protocol';
import { blockedFor, type Limits } from '../rules.js';
import type { IdpKeys } from './keys.js';

/** Keys stay bounded whatever is typed into the username field. */
const accountKeyOf = (typed: string) => usernameKey(typed).slice(0, 64);

export class LoginLimiter {
  constructor(private readonly redis: RedisClient, private readonly keys: IdpKeys, private readonly limits: Limits, private readonly windowSeconds: number) {}

  /** Seconds until `username` may be tried from `address` again; 0: now. */
  async blocked(username: string, address: string): Promise<number> {
    const a = this.keys.failuresByAccount(accountKeyOf(username));
    const b = this.keys.failuresByAddress(address);
    const r = await this.redis.multi().get(a).ttl(a).get(b).ttl(b).exec();
    const v = (i: number) => Number(r?.[i]?.[1] ?? 0) || 0;
    return blockedFor({ account: v(0), accountTtl: v(1), address: v(2), addressTtl: v(3) }, this.limits);
  }

  async failed(username: string, address: string): Promise<void> {
    const m = this.redis.multi();
    for (const key of [this.keys.failuresByAccount(accountKeyOf(username)), this.keys.failuresByAddress(address)]) {
      // NX: the window starts at the first failure and is not pushed back by later ones.
      m.incr(key).expire(key, this.windowSeconds, 'NX');
    }
    await m.exec();
  }

  /** A good sign-in forgives the account's failures (the address's stay: they may be other names'). */
  async succeeded(username: string): Promise<void> {
    await this.redis.del(this.keys.failuresByAccount(accountKeyOf(username)));
  }
}
