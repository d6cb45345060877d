// The accounts' username rules against the DynamoDB API (dynalite through the AWS SDK): unique
// regardless of case even when two sign-ins race for one name, a rename holds the old name for the
// hold period (an old link never shows someone else), a deleted account's name is held too.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynalite, type DynaliteHandle } from '../support/dynalite.js';
import { Users } from '../../services/accounts/src/adapters/users.js';
import { ensureAccountTables } from '../../services/accounts/src/adapters/tables.js';

let dynamo: DynaliteHandle;
let db: DynamoDBClient;
const tables = { users: 'test-users', usernames: 'test-usernames', friends: 'test-friends' };
const HOLD = 60_000;

const base = (playerId: string) => ({ playerId, email: null, issuer: 'https://idp.test', sub: playerId, createdAt: 1 });

beforeAll(async () => {
  dynamo = await startDynalite();
  db = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await ensureAccountTables(db, tables);
});
afterAll(async () => {
  db.destroy();
  await dynamo.stop();
});

describe('usernames', () => {
  const users = () => new Users(db, tables, HOLD);

  it('two accounts racing for one name (different case): one gets it, the other its next candidate', async () => {
    const [a, b] = await Promise.all([
      users().create(base('u_race_a'), ['Magnus', 'magnus-a']),
      users().create(base('u_race_b'), ['MAGNUS', 'magnus-b']),
    ]);
    const names = [a.username.toLowerCase(), b.username.toLowerCase()].sort();
    expect(names[0]).toBe('magnus');
    expect(['magnus-a', 'magnus-b']).toContain(names[1]);
    expect((await users().byUsername('mAgNuS'))?.playerId).toBe(a.username.toLowerCase() === 'magnus' ? 'u_race_a' : 'u_race_b');
  });

  it('a second callback for the same subject finds the account made by the first', async () => {
    const first = await users().create(base('u_twice'), ['twice']);
    const again = await users().create(base('u_twice'), ['twice-other']);
    expect(again).toEqual(first);
    expect(await users().byUsername('twice-other')).toBeNull(); // the extra claim was given back
  });

  it('a rename holds the old name: nobody else may take it, it points at nobody, its owner may take it back', async () => {
    const u = users();
    const alice = await u.create(base('u_alice'), ['alice']);
    const now = Date.now();
    const { outcome, user: renamed } = await u.rename(alice, 'alice2', now);
    expect(outcome).toBe('renamed');
    expect((await u.get('u_alice'))?.username).toBe('alice2');
    expect(await u.byUsername('alice')).toBeNull();
    expect((await u.byUsername('ALICE2'))?.playerId).toBe('u_alice');
    const mallory = await u.create(base('u_mallory'), ['alice', 'mallory']);
    expect(mallory.username).toBe('mallory');
    expect((await u.rename(mallory, 'Alice', now + 1)).outcome).toBe('taken');
    expect((await u.rename(renamed, 'alice', now + 2)).outcome).toBe('renamed');
    expect((await u.byUsername('alice'))?.playerId).toBe('u_alice');
  });

  it('after the hold a given-up name is free for anyone', async () => {
    const u = users();
    const bob = await u.create(base('u_bob'), ['bob']);
    const t = Date.now();
    await u.rename(bob, 'bobby', t);
    const carol = await u.create(base('u_carol'), ['carol']);
    expect((await u.rename(carol, 'bob', t + HOLD - 1)).outcome).toBe('taken');
    expect((await u.rename(carol, 'bob', t + HOLD + 1)).outcome).toBe('renamed');
    expect((await u.byUsername('bob'))?.playerId).toBe('u_carol');
  });

  it('a case-only rename keeps the name and changes how it is shown', async () => {
    const u = users();
    const dave = await u.create(base('u_dave'), ['dave']);
    const { outcome } = await u.rename(dave, 'Dave');
    expect(outcome).toBe('renamed');
    expect((await u.byUsername('dave'))?.username).toBe('Dave');
  });

  it('a deleted account is gone and its name held', async () => {
    const u = users();
    const erin = await u.create(base('u_erin'), ['erin']);
    await u.delete(erin);
    expect(await u.get('u_erin')).toBeNull();
    expect(await u.byUsername('erin')).toBeNull();
    expect((await u.create(base('u_frank'), ['erin', 'frank'])).username).toBe('frank');
  });
});
