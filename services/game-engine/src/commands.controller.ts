// The engine's NestJS face: one handler per command type on the command stream.
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
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
    if (await this.engine.handle(cmd, c.getId(), { stream: c.getStream(), group: c.getGroup() })) c.acknowledged();
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
