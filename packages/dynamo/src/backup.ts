// A backup of Gambit's DynamoDB tables to files and back, for small operators (`make backup`,
// `make restore`; docs/operations.md "Backup and restore"). AWS's own answer, point-in-time
// recovery, is on in infra/ and is the one for production; this is the one a single machine can run
// and a test can check: every item of every table, as DynamoDB JSON, one line each.
//
// Layout of a backup folder:
//   manifest.json       {"format":1,"startedAt":..,"finishedAt":..,"tables":{"games":{"name":"gambit-games",
//                        "items":1234,"keySchema":[..],"attributeDefinitions":[..],"globalSecondaryIndexes":[..]}}}
//   <logical>.jsonl     one item per line, as DynamoDB returns it ({"gameId":{"S":"..."},...})
//
// The export reads each table with consistent scans, one table after another: items written while
// it runs may or may not be in it (stop the finalizers and the accounts service for a backup that
// is one moment). A restore writes into tables that are empty (made from the manifest's key schema
// when missing), never over data.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import {
  BatchWriteItemCommand, CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, ScanCommand, waitUntilTableExists,
  type AttributeDefinition, type AttributeValue, type DynamoDBClient, type GlobalSecondaryIndexDescription, type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';

/** Logical name (games, players, users, usernames, friends) -> the table's name in this installation. */
export type TableNames = Record<string, string>;

interface TableEntry {
  name: string;
  items: number;
  keySchema: KeySchemaElement[];
  attributeDefinitions: AttributeDefinition[];
  globalSecondaryIndexes?: { IndexName: string; KeySchema: KeySchemaElement[]; Projection: GlobalSecondaryIndexDescription['Projection'] }[];
}
export interface Manifest { format: 1; startedAt: number; finishedAt: number; tables: Record<string, TableEntry> }

type Item = Record<string, AttributeValue>;

/** Writes every item of `tables` into `dir` (created); returns the manifest. */
export async function backupTables(client: DynamoDBClient, tables: TableNames, dir: string, now = Date.now): Promise<Manifest> {
  await mkdir(dir, { recursive: true });
  const manifest: Manifest = { format: 1, startedAt: now(), finishedAt: 0, tables: {} };
  for (const [logical, name] of Object.entries(tables)) {
    const { Table: t } = await client.send(new DescribeTableCommand({ TableName: name }));
    const out = createWriteStream(join(dir, `${logical}.jsonl`));
    let items = 0;
    let start: Item | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: name, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const item of page.Items ?? []) {
        if (!out.write(`${JSON.stringify(item)}\n`)) await once(out, 'drain');
        items += 1;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    out.end();
    await once(out, 'finish');
    manifest.tables[logical] = {
      name, items, keySchema: t?.KeySchema ?? [], attributeDefinitions: t?.AttributeDefinitions ?? [],
      ...(t?.GlobalSecondaryIndexes?.length ? {
        globalSecondaryIndexes: t.GlobalSecondaryIndexes.map((g) => ({ IndexName: g.IndexName!, KeySchema: g.KeySchema!, Projection: g.Projection })),
      } : {}),
    };
  }
  manifest.finishedAt = now();
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Writes a backup's items into `tables` (logical name -> table name; the manifest's names when a
 * logical name is not given). A missing table is made from the manifest; a table with items is
 * refused (restore into new tables, then switch to them). Returns the items written per table.
 */
export async function restoreTables(client: DynamoDBClient, dir: string, tables: TableNames = {}): Promise<Record<string, number>> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  if (manifest.format !== 1) throw new Error(`${dir}/manifest.json: unknown format ${String(manifest.format)}`);
  const written: Record<string, number> = {};
  for (const [logical, entry] of Object.entries(manifest.tables)) {
    const name = tables[logical] ?? entry.name;
    await ensureEmptyTable(client, name, entry);
    let batch: Item[] = [];
    let n = 0;
    const lines = createInterface({ input: createReadStream(join(dir, `${logical}.jsonl`)), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      batch.push(JSON.parse(line) as Item);
      if (batch.length === 25) {
        await writeBatch(client, name, batch);
        n += batch.length;
        batch = [];
      }
    }
    if (batch.length) await writeBatch(client, name, batch);
    written[logical] = n + batch.length;
    if (written[logical] !== entry.items) throw new Error(`${logical}: the backup lists ${entry.items} items, its file held ${written[logical]}`);
  }
  return written;
}

async function ensureEmptyTable(client: DynamoDBClient, name: string, entry: TableEntry): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    const some = await client.send(new ScanCommand({ TableName: name, Limit: 1 }));
    if (some.Items?.length) throw new Error(`table ${name} is not empty: restore into a new table, then point the services at it`);
    return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  await client.send(new CreateTableCommand({
    TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: entry.keySchema, AttributeDefinitions: entry.attributeDefinitions,
    ...(entry.globalSecondaryIndexes ? { GlobalSecondaryIndexes: entry.globalSecondaryIndexes } : {}),
  }));
  await waitUntilTableExists({ client, maxWaitTime: 300, minDelay: 1, maxDelay: 10 }, { TableName: name });
}

/** One BatchWriteItem of up to 25 puts; what DynamoDB leaves unprocessed is sent again, backing off. */
async function writeBatch(client: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length; attempt++) {
    if (attempt === 8) throw new Error(`${table}: ${requests.length} items still unprocessed after 8 attempts`);
    if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    const r = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
    requests = (r.UnprocessedItems?.[table] ?? []) as typeof requests;
  }
}
