// dynalite, the local DynamoDB API used in development and tests, has no TransactWriteItems
// (architect/dynalite#151: it answers UnknownOperationException). Against such an endpoint only,
// the store runs the very same transaction items here: one at a time, in order, under a lock, and
// undoes the ones already applied when one fails, answering like DynamoDB would
// (TransactionCanceledException with per-item CancellationReasons). It is atomic only within one
// process and when the endpoint stays up: good enough for a laptop, never used against AWS.
import {
  ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, TransactionCanceledException, UpdateItemCommand,
  type AttributeValue, type DynamoDBClient, type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;
type Undo = { table: string; key: Item; old: Item | undefined };

let lock: Promise<unknown> = Promise.resolve();

/** `keyNames`: the key attributes of each table, to undo a Put of a new item. */
export async function emulateTransactWrite(
  client: DynamoDBClient, items: TransactWriteItem[], keyNames: Record<string, string[]>,
): Promise<void> {
  const run = lock.then(() => apply(client, items, keyNames));
  lock = run.catch(() => undefined);
  return run;
}

async function apply(client: DynamoDBClient, items: TransactWriteItem[], keyNames: Record<string, string[]>): Promise<void> {
  const done: Undo[] = [];
  for (const [i, item] of items.entries()) {
    try {
      done.push(await applyOne(client, item, keyNames));
    } catch (err) {
      await undo(client, done);
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      throw new TransactionCanceledException({
        message: `Transaction cancelled (emulated): item ${i} failed its condition`,
        $metadata: {},
        CancellationReasons: items.map((_, j) => ({ Code: j === i ? 'ConditionalCheckFailed' : 'None' })),
      });
    }
  }
}

async function applyOne(client: DynamoDBClient, item: TransactWriteItem, keyNames: Record<string, string[]>): Promise<Undo> {
  if (item.Put) {
    const { TableName, Item: newItem } = item.Put;
    const out = await client.send(new PutItemCommand({ ...item.Put, ReturnValues: 'ALL_OLD' }));
    const key = Object.fromEntries((keyNames[TableName!] ?? []).map((k) => [k, newItem![k]!]));
    return { table: TableName!, key, old: out.Attributes };
  }
  if (item.Update) {
    const out = await client.send(new UpdateItemCommand({ ...item.Update, ReturnValues: 'ALL_OLD' }));
    return { table: item.Update.TableName!, key: item.Update.Key!, old: out.Attributes };
  }
  if (item.Delete) {
    const out = await client.send(new DeleteItemCommand({ ...item.Delete, ReturnValues: 'ALL_OLD' }));
    return { table: item.Delete.TableName!, key: item.Delete.Key!, old: out.Attributes };
  }
  throw new Error('emulated transactions support Put, Update and Delete only');
}

/** Puts back what each applied item replaced, newest first; best effort (the endpoint may be down). */
async function undo(client: DynamoDBClient, done: Undo[]): Promise<void> {
  for (const u of done.reverse()) {
    const restore = u.old
      ? client.send(new PutItemCommand({ TableName: u.table, Item: u.old }))
      : client.send(new DeleteItemCommand({ TableName: u.table, Key: u.key }));
    await restore.catch(() => undefined);
  }
}
