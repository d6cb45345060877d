// `make backup` / `make restore`: every Gambit table to a folder of files and back
// (@gambit/dynamo's backup.ts says how). The tables are the services' own settings, read from the
// same environment variables (GAMES_TABLE, PLAYERS_TABLE, USERS_TABLE, USERNAMES_TABLE,
// FRIENDS_TABLE), with DYNAMODB_ENDPOINT for dynalite and AWS_REGION for AWS. A restore writes into
// those names: give new ones to restore next to the live tables, then point the services at them.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { backupTables, restoreTables } from '../packages/dynamo/dist/index.js';

const [command, dir] = process.argv.slice(2);
if (!['backup', 'restore'].includes(command) || !dir) {
  console.error('usage: node scripts/backup.mjs backup|restore <folder>');
  process.exit(2);
}
const env = process.env;
const tables = {
  games: env.GAMES_TABLE || 'gambit-games', players: env.PLAYERS_TABLE || 'gambit-players',
  users: env.USERS_TABLE || 'gambit-users', usernames: env.USERNAMES_TABLE || 'gambit-usernames', friends: env.FRIENDS_TABLE || 'gambit-friends',
};
const client = new DynamoDBClient({
  region: env.AWS_REGION || 'eu-west-1',
  ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID || 'dev', secretAccessKey: env.AWS_SECRET_ACCESS_KEY || 'dev' } } : {}),
});
try {
  if (command === 'backup') {
    const m = await backupTables(client, tables, dir);
    for (const [logical, t] of Object.entries(m.tables)) console.log(`${logical.padEnd(10)} ${t.name.padEnd(24)} ${t.items} items`);
    console.log(`backup in ${dir} (${m.finishedAt - m.startedAt} ms)`);
  } else {
    const written = await restoreTables(client, dir, tables);
    for (const [logical, n] of Object.entries(written)) console.log(`${logical.padEnd(10)} ${tables[logical].padEnd(24)} ${n} items restored`);
  }
} catch (err) {
  console.error(`${command} failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
