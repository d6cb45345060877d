// Reads this gateway's own event streams, one per room shard (XREAD, one reader each, so no consumer
// group is needed). The entries' layout, and its decoder, are @gambit/protocol's (wire/gateway-events.ts).
import type { RedisClient } from '@gambit/common';
import type { Logger } from '@gambit/common';
import { decodeGatewayEntry, type GatewayDelivery } from '@gambit/protocol';

/** Reads one stream on a connection of its own (a blocking read holds its connection). */
export class EventReader {
  private running = false;
  private loop?: Promise<void>;

  /** `onDelivery` also gets when the engine wrote the entry (ms, from its stream id). */
  constructor(private readonly redis: RedisClient, private readonly stream: string, private readonly log: Logger, private readonly onDelivery: (d: GatewayDelivery, writtenAt: number) => void) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    let last = '0-0'; // the stream is this process's own: everything in it is for us
    while (this.running) {
      try {
        const rows = (await this.redis.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', this.stream, last)) as [string, [string, string[]][]][] | null;
        if (!rows) continue;
        for (const [id, fields] of rows[0]![1]) {
          last = id;
          let d: GatewayDelivery | null;
          try {
            d = decodeGatewayEntry(fields);
          } catch (err) {
            d = null;
            this.log.error({ err: String(err), id }, 'bad delivery on the event stream');
          }
          if (d) this.onDelivery(d, Number(id.slice(0, id.indexOf('-'))));
        }
      } catch (err) {
        if (!this.running) return;
        this.log.warn({ err: String(err), stream: this.stream }, 'event stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}

/**
 * One EventReader per shard stream, all handing entries to the same `onDelivery`: order holds
 * within each stream (a room's events are all in its shard's). Not one XREAD over all of them:
 * under Redis Cluster a multi-stream read must stay in one slot, and the shards are in different ones.
 */
export class EventReaders {
  private readonly readers: EventReader[];

  constructor(streams: readonly { redis: RedisClient; stream: string }[], log: Logger, onDelivery: (d: GatewayDelivery, writtenAt: number) => void) {
    this.readers = streams.map(({ redis, stream }) => new EventReader(redis, stream, log, onDelivery));
  }

  start(): void {
    for (const r of this.readers) r.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.stop()));
  }
}
