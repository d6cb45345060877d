// oidc-provider's storage adapter over Redis: every model it keeps (Session, Interaction, Grant,
// AuthorizationCode, AccessToken, ...) as a hash {payload: JSON, consumed?: epoch seconds} that
// expires with the model, plus the indexes it looks things up by (session uid, user code, grant).
import type { RedisClient } from '@gambit/common';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { IdpKeys } from './keys.js';

/** Models issued under a grant: revoking the grant deletes them all. */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

/** Adds a key to a grant's index and keeps the index alive as long as its longest-lived member. */
const INDEX_GRANT = `
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
local current = redis.call('TTL', KEYS[1])
if ttl > 0 and current < ttl then redis.call('EXPIRE', KEYS[1], ttl) end
return 1`;

/** Marks a model consumed once: 1 the first time, 0 when it already was, -1 when it is gone. */
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1])`;

class RedisAdapter implements Adapter {
  constructor(private readonly redis: RedisClient, private readonly keys: IdpKeys, private readonly name: string) {}

  private key(id: string) {
    return this.keys.model(this.name, id);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    const ttl = expiresIn && expiresIn > 0 ? Math.ceil(expiresIn) : 0;
    const m = this.redis.multi().del(key).hset(key, 'payload', JSON.stringify(payload));
    if (ttl) m.expire(key, ttl);
    const index = (indexKey: string) => (ttl ? m.set(indexKey, id, 'EX', ttl) : m.set(indexKey, id));
    if (this.name === 'Session' && payload.uid) index(this.keys.sessionUid(payload.uid));
    if (payload.userCode) index(this.keys.userCode(payload.userCode));
    if (GRANTABLE.has(this.name) && payload.grantId) m.eval(INDEX_GRANT, 1, this.keys.grant(payload.grantId), key, String(ttl));
    await m.exec();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const [payload, consumed] = await this.redis.hmget(this.key(id), 'payload', 'consumed');
    if (!payload) return undefined;
    const parsed = JSON.parse(payload) as AdapterPayload;
    return consumed ? { ...parsed, consumed: Number(consumed) } : parsed;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(this.keys.sessionUid(uid));
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(this.keys.userCode(userCode));
    return id ? this.find(id) : undefined;
  }

  /**
   * oidc-provider checks `consumed` before consuming, but two requests racing with one code could
   * both pass that check; the second to get here is refused, so a code is redeemed at most once.
   */
  async consume(id: string): Promise<void> {
    const first = await this.redis.eval(CONSUME, 1, this.key(id), String(Math.floor(Date.now() / 1000)));
    if (first !== 1) throw new errors.InvalidGrant(`${this.name} already used or gone`);
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const index = this.keys.grant(grantId);
    const members = await this.redis.smembers(index);
    await this.redis.del(index, ...members);
  }
}

/** The `adapter` option of oidc-provider: a factory of one adapter per model name. */
export const redisAdapterFactory = (redis: RedisClient, keys: IdpKeys) => (name: string): Adapter => new RedisAdapter(redis, keys, name);
