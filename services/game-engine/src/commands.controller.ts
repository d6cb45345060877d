// The engine's NestJS face: one handler per command type on the command stream.
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EngineCommand } from '@gambit/protocol';
import { StreamContext } from '@gambit/streams';
import { Engine } from './engine.js';

export const ENGINE = Symbol('Engine');

@Controller()
export class CommandsController {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  private run(cmd: EngineCommand, ctx: unknown): Promise<void> {
    return this.engine.handle(cmd, (ctx as StreamContext).getId());
  }

  @EventPattern('create') create(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('join') join(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('watch') watch(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('move') move(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('resign') resign(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('draw') draw(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('abort') abort(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('leave') leave(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('resume') resume(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
  @EventPattern('disconnect') disconnect(@Payload() c: EngineCommand, @Ctx() x: unknown) { return this.run(c, x); }
}
