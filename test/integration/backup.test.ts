// `make backup` and `make restore` as a round trip on dynalite through the real AWS SDK: two
// players sign up, become friends and play a rated game to its end through the whole stack (so the
// finalizer writes the game, both players' stats and ratings, and the accounts service the users,
// usernames and friendships); the backup script writes every table to files; the restore script
// puts them into an empty DynamoDB: every item of every table is identical. A restore over a table
// that has data is refused, and changes nothing.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { startStack, type Stack } from '../support/stack.js';
import { startDynalite, type DynaliteHandle } from '../support/dynalite.js';
import { HttpBrowser } from '../support/http-browser.js';
import { TestPlayer, play } from '../support/player.js';
import { waitFor } from '../support/redis.js';
import { Redis } from 'ioredis';
import { FINALIZER_GROUP, keys } from '@gambit/common';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
let stack: Stack;
let empty: DynaliteHandle;
let dir: string;
beforeAll(async () => {
  [stack, empty] = await Promise.all([startStack({ accounts: true }), startDynalite()]);
  dir = await mkdtemp(join(tmpdir(), 'gambit-backup-'));
}, 60_000);
afterAll(async () => {
  await Promise.all([stack?.stop(), empty?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

const client = (endpoint: string) => new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'dev', secretAccessKey: 'dev' } });
const tableEnv = () => ({
  GAMES_TABLE: stack.gamesTable, PLAYERS_TABLE: stack.playersTable, USERS_TABLE: stack.accounts!.usersTable,
  USERNAMES_TABLE: `${stack.keyPrefix}-usernames`, FRIENDS_TABLE: `${stack.keyPrefix}-friends`,
});
const script = (command: string, endpoint: string) =>
  run(process.execPath, ['scripts/backup.mjs', command, dir], { cwd: ROOT, env: { ...process.env, ...tableEnv(), DYNAMODB_ENDPOINT: endpoint } });

/** Every item of a table, in a stable order. */
async function items(endpoint: string, table: string): Promise<Record<string, AttributeValue>[]> {
  const all: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client(endpoint).send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    all.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return all.sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1));
}

/** JSON with every object's keys sorted: the same item reads the same whatever order it came in. */
const canonical = (v: unknown): string => (v && typeof v === 'object' && !Array.isArray(v)
  ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`
  : Array.isArray(v) ? `[${v.map(canonical).join(',')}]` : JSON.stringify(v));

async function account(username: string): Promise<{ browser: HttpBrowser; player: TestPlayer }> {
  const browser = new HttpBrowser(stack.httpUrl);
  await browser.signUp(username, 'correct horse battery');
  const token = JSON.parse((await browser.request(`${stack.httpUrl}/api/session`, { method: 'POST', body: '{}' })).body).token as string;
  return { browser, player: await TestPlayer.connect(stack.httpUrl, username, { token }) };
}

describe('backup and restore', () => {
  test('every table, every item, identical after a round trip; a restore over data is refused', async () => {
    const [ann, bob] = [await account('ann_bk'), await account('bob_bk')];
    const friend = (b: HttpBrowser, name: string, action: string) =>
      b.request(`${stack.httpUrl}/api/friends/${name}`, { method: 'POST', body: JSON.stringify({ action }) });
    await friend(ann.browser, 'bob_bk', 'request');
    await friend(bob.browser, 'ann_bk', 'accept');
    const created = await ann.player.ask({ t: 'create', tc: { initialMs: 180_000, incrementMs: 0 }, color: 'white', rated: true });
    expect(created).toMatchObject({ t: 'created' });
    const room = String(created.room);
    await bob.player.ask({ t: 'join', room });
    await Promise.all([ann.player.next('started'), bob.player.next('started')]);
    await play(room, ann.player, bob.player, ['f2f3', 'e7e5', 'g2g4', 'd8h4']); // bob mates: a rated result
    const ended = await ann.player.next('ended');
    const env = tableEnv();
    // Stored whole: the finalizer acknowledges the entry after its last write (on dynalite the
    // transaction is emulated item by item, so the game item alone does not mean the rows are in).
    const redis = new Redis(stack.redisUrl);
    try {
      const finalize = keys(stack.keyPrefix).finalize(0);
      const done = async () => {
        const groups = (await redis.xinfo('GROUPS', finalize)) as unknown[][];
        const g = groups.map((flat) => Object.fromEntries(flat.flatMap((x, i) => (i % 2 ? [] : [[String(x), flat[i + 1]]])))).find((x) => x.name === FINALIZER_GROUP);
        return g !== undefined && g['last-delivered-id'] !== '0-0' && Number(g.pending) === 0; // read, and acknowledged
      };
      await waitFor(done, 10_000, 'the finalizer did not store the game');
    } finally {
      redis.disconnect();
    }
    expect((await items(stack.dynamoEndpoint, env.GAMES_TABLE)).some((i) => i.gameId?.S === String(ended.gameId))).toBe(true);
    const gameItems = (await items(stack.dynamoEndpoint, env.GAMES_TABLE)).length;
    [ann.player, bob.player].forEach((p) => p.close());

    const backup = await script('backup', stack.dynamoEndpoint);
    expect(backup.stdout).toMatch(new RegExp(`games\\s+\\S+\\s+${gameItems} items`));
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { tables: Record<string, { items: number }> };
    expect(Object.keys(manifest.tables).sort()).toEqual(['friends', 'games', 'players', 'usernames', 'users']);

    await script('restore', empty.endpoint);
    for (const table of Object.values(env)) {
      const [before, after] = [await items(stack.dynamoEndpoint, table), await items(empty.endpoint, table)];
      expect(after).toEqual(before);
      expect(after.length).toBeGreaterThan(0);
    }
    expect((await items(empty.endpoint, env.GAMES_TABLE)).some((i) => i.gameId?.S === String(ended.gameId))).toBe(true);

    // Again into the same (now full) tables: refused, nothing written twice.
    await expect(script('restore', empty.endpoint)).rejects.toMatchObject({ stderr: expect.stringMatching(/is not empty: restore into a new table/) });
    expect(await items(empty.endpoint, env.GAMES_TABLE)).toHaveLength(gameItems);
  }, 60_000);
});
