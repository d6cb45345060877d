// The engine's NestJS face: one handler per command type on the command stream.
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { SpanKind, endSpan, injectTrace, startCommandSpan, tracingOn } from '@gambit/common';
import type { EngineCommand } from '@gambit/protocol';
import { Engine } from '@gambit/rooms';
import { StreamContext } from '@gambit/streams';

export const ENGINE = Symbol('Engine');

@Controller()
export class CommandsController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  /** A command that commits is acknowledged by the commit itself (see RoomStore.commit). */
  private async run(cmd: EngineCommand, ctx: unknown): Promise<void> {
    const c = ctx as StreamContext;
    if (tracingOn()) return this.traced(cmd, c);
    if (await this.engine.handle(cmd, c.getId(), { stream: c.getStream(), group: c.getGroup() })) c.acknowledged();
  }

  /**
   * The same inside a span `command <type>`, the child of the writer's span (the entry's
   * traceparent: the gateway's, for a player's command): decide and commit. A finalize entry the
   * commit writes carries this span's context on to the finalizer.
   */
  private async traced(cmd: EngineCommand, c: StreamContext): Promise<void> {
    const span = startCommandSpan(`command ${cmd.t}`, cmd, { parent: c.getTrace(), kind: SpanKind.CONSUMER, attributes: streamAttributes(c) });
    try {
      const trace = injectTrace(span);
      const ack = { stream: c.getStream(), group: c.getGroup(), ...(trace ? { trace } : {}) };
      if (await this.engine.handle(cmd, c.getId(), ack)) c.acknowledged();
      endSpan(span);
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  }

  @EventPattern('create') create(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('join') join(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('watch') watch(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('move') move(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('resign') resign(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('draw') draw(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('abort') abort(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('leave') leave(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('rematch') rematch(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('resume') resume(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('pair') pair(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('moretime') moretime(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('takeback') takeback(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('signal') signal(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('disconnect') disconnect(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
}

/** What a command's span says besides the command (startCommandSpan): the entry it came in, and whether it was claimed from another consumer. */
function streamAttributes(c: StreamContext): Record<string, string | boolean> {
  return { 'messaging.system': 'redis', 'messaging.destination.name': c.getStream(), 'messaging.message.id': c.getId(), 'gambit.claimed': c.isClaimed() };
}
