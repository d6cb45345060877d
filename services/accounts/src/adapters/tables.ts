// The accounts' DynamoDB tables, defined in code (docs/accounts.md shows them with examples).
//
// users (PK playerId): username (as typed), email, issuer, sub, createdAt, usernameChangedAt.
// usernames (PK nameKey = the lower-cased username): playerId, and heldUntil (ms) once its owner
// gave it up (renamed or deleted): until then nobody else may take it, and it points at nobody, so
// an old link never silently shows someone else.
// friends (PK playerId, SK otherId): the relation as playerId sees it (rel friend/sent/received,
// blocks, blockedBy), v (the item's version), since (ms); written both ways at once (friends.ts).
import {
  CreateTableCommand, DescribeTableCommand, ResourceInUseException, ResourceNotFoundException,
  waitUntilTableExists, type CreateTableCommandInput, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export interface AccountTables { users: string; usernames: string; friends: string }

export function accountTableDefinitions(t: AccountTables): CreateTableCommandInput[] {
  const table = (name: string, key: string): CreateTableCommandInput => ({
    TableName: name, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
  });
  const friends: CreateTableCommandInput = {
    TableName: t.friends, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'playerId', AttributeType: 'S' }, { AttributeName: 'otherId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'playerId', KeyType: 'HASH' }, { AttributeName: 'otherId', KeyType: 'RANGE' }],
  };
  return [table(t.users, 'playerId'), table(t.usernames, 'nameKey'), friends];
}

/** Creates the tables that do not exist yet (CREATE_TABLES) and waits until they are usable. */
export async function ensureAccountTables(client: DynamoDBClient, t: AccountTables): Promise<void> {
  for (const def of accountTableDefinitions(t)) {
    try {
      await client.send(new DescribeTableCommand({ TableName: def.TableName }));
      continue;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
    await client.send(new CreateTableCommand(def)).catch((err: unknown) => {
      if (!(err instanceof ResourceInUseException)) throw err; // another replica was first
    });
    await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: def.TableName });
  }
}
