import { BaseRpcContext } from '@nestjs/microservices';

type Args = [stream: string, id: string, key: string, deliveries: 'first' | 'claimed'];

/** What a handler can learn about the entry it handles (`@Ctx() ctx: StreamContext`). */
export class StreamContext extends BaseRpcContext<Args> {
  getStream(): string { return this.args[0]; }
  /** The entry id: unique per command, the same on redelivery, so it doubles as an idempotency key. */
  getId(): string { return this.args[1]; }
  getKey(): string { return this.args[2]; }
  isClaimed(): boolean { return this.args[3] === 'claimed'; }
}
