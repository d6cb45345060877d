// @gambit/dynamo: DynamoDB transactions for the services that write several items at once (the
// finalizer, the accounts service), against AWS or, in development, a local API without them; and
// the backup of every table to files and back (backup.ts, `make backup` / `make restore`).
import { TransactWriteItemsCommand, type DynamoDBClient, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { emulateTransactWrite } from './dev-transactions.js';

export { emulateTransactWrite };

export interface TransactionsOptions {
  /** DYNAMODB_ENDPOINT is set: a local API that may lack TransactWriteItems (dev-transactions.ts). */
  local: boolean;
  /** The key attributes of each table written (the emulation undoes a Put of a new item by them). */
  keyNames: Record<string, string[]>;
  /** Told once when the emulation takes over. */
  warn?: (msg: string) => void;
}

export class Transactions {
  private emulate = false;

  constructor(private readonly client: DynamoDBClient, private readonly o: TransactionsOptions) {}

  /** One TransactWriteItems; on a local endpoint without it, the emulation. */
  async write(items: TransactWriteItem[]): Promise<void> {
    if (!this.emulate) {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return;
      } catch (err) {
        if (!(this.o.local && (err as Error).name === 'UnknownOperationException')) throw err;
        this.emulate = true;
        this.o.warn?.('DYNAMODB_ENDPOINT has no TransactWriteItems (dynalite?): emulating it, for development only');
      }
    }
    await emulateTransactWrite(this.client, items, this.o.keyNames);
  }
}
export { backupTables, restoreTables, type Manifest, type TableNames } from './backup.js';
