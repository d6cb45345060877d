// The finalizer's DynamoDB tables, defined in code (docs/data-model.md shows them with examples).
//
// games (PK gameId) holds two kinds of item:
//   - the game:          gameId = "<gameId>",        type "game", the whole GameRecord (pgn, moves, clocks)
//   - a player-game row: gameId = "<gameId>#white" / "<gameId>#black", type "player-game": one per seat,
//                        with playerId, endedAt and a summary of the game from that player's side.
// The GSI byPlayer (PK playerId, SK endedAt) holds only the player-game rows (game items have no
// playerId attribute, so the index is sparse): a player's games newest first are one Query with
// ScanIndexForward=false. One GSI instead of one per colour, so paging needs no merge of two queries.
//
// players (PK playerId): name, games, wins, losses, draws, createdAt, updatedAt.
import {
  CreateTableCommand, DescribeTableCommand, ResourceInUseException, ResourceNotFoundException,
  waitUntilTableExists, type CreateTableCommandInput, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export interface TableNames {
  games: string;
  players: string;
}

export const PLAYER_INDEX = 'byPlayer';

export function tableDefinitions(names: TableNames): CreateTableCommandInput[] {
  return [
    {
      TableName: names.games,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'gameId', AttributeType: 'S' },
        { AttributeName: 'playerId', AttributeType: 'S' },
        { AttributeName: 'endedAt', AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: 'gameId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: PLAYER_INDEX,
          KeySchema: [
            { AttributeName: 'playerId', KeyType: 'HASH' },
            { AttributeName: 'endedAt', KeyType: 'RANGE' },
          ],
          // Only the small player-game rows are in the index, so projecting them whole is cheap.
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    },
    {
      TableName: names.players,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'playerId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'playerId', KeyType: 'HASH' }],
    },
  ];
}

/** Creates the tables that do not exist yet and waits until they are usable (CREATE_TABLES). */
export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  for (const def of tableDefinitions(names)) {
    try {
      await client.send(new DescribeTableCommand({ TableName: def.TableName }));
      continue;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
    try {
      await client.send(new CreateTableCommand(def));
    } catch (err) {
      // Another replica created it first: fine, wait for it below.
      if (!(err instanceof ResourceInUseException)) throw err;
    }
    await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: def.TableName });
  }
}
