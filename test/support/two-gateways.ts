// A stack with a second gateway process on the same Redis, for the tests of what must work across
// pods (pairing, the lobby, crowds): players connect to either gateway, as guests or with account
// tokens signed the way the accounts service signs them. Register it once per test file.
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { SocketTokens } from '@gambit/common';
import { startStack, type Stack, type StackOptions } from './stack.js';
import { TestPlayer } from './player.js';

export interface TwoGateways {
  stack: Stack;
  /** The second gateway's http URL. */
  second: string;
  /** A plain client of the stack's Redis, to look at what the services keep there. */
  redis: Redis;
  /**
   * A player on `gateway` (the first by default): a guest; with `as: true` a new signed-in one (`u_`
   * id); with a token, whoever it names (another tab of a player). Closed after each test.
   */
  connect(name: string, gateway?: string, as?: boolean | string): Promise<TestPlayer>;
}

export function useTwoGateways(opts: StackOptions = {}): TwoGateways {
  const t = {} as TwoGateways;
  let tokens: SocketTokens;
  let players: TestPlayer[] = [];
  beforeAll(async () => {
    t.stack = await startStack(opts);
    t.second = await t.stack.addGateway();
    t.redis = new Redis(t.stack.redisUrl);
    tokens = await SocketTokens.fromPem(t.stack.signingKey, [], 3600);
  });
  afterEach(() => { players.forEach((p) => p.close()); players = []; });
  afterAll(async () => {
    t.redis?.disconnect();
    await t.stack?.stop();
  });
  t.connect = async (name, gateway = t.stack.httpUrl, as = false) => {
    const token = typeof as === 'string' ? as : as ? await tokens.sign({ playerId: `u_${name}${Date.now()}`, name, kind: 'user' }) : undefined;
    const p = await TestPlayer.connect(gateway, name, token ? { token } : {});
    players.push(p);
    return p;
  };
  return t;
}
