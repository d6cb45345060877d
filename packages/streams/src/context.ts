import { BaseRpcContext } from '@nestjs/microservices';
import type { EntryTrace } from '@gambit/protocol';

type Args = [stream: string, id: string, key: string, deliveries: 'first' | 'claimed', group: string, trace?: EntryTrace];

/** What a handler can learn about the entry it handles (`@Ctx() ctx: StreamContext`). */
export class StreamContext extends BaseRpcContext<Args> {
  private ackedByHandler = false;

  getStream(): string { return this.args[0]; }
  /** The entry id: unique per command, the same on redelivery, so it doubles as an idempotency key. */
  getId(): string { return this.args[1]; }
  getKey(): string { return this.args[2]; }
  isClaimed(): boolean { return this.args[3] === 'claimed'; }
  getGroup(): string { return this.args[4]; }
  /** The W3C trace context the entry carries (traceparent, tracestate), if its writer traced it. */
  getTrace(): EntryTrace | undefined { return this.args[5]; }

  /**
   * The handler acknowledged the entry itself, atomically with its own writes (an XACK inside
   * its Lua script): the transport sends no XACK of its own, one round trip less per entry.
   */
  acknowledged(): void { this.ackedByHandler = true; }
  wasAcknowledged(): boolean { return this.ackedByHandler; }
}
