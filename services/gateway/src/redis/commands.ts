// Puts the gateway's commands on the engines' command stream.
import type { Redis } from 'ioredis';
import { STREAM_MAXLEN } from '@gambit/common';
import { publish } from '@gambit/streams';
import type { EngineCommand, EntryTrace } from '@gambit/protocol';

/** `trace`: the trace context of the gateway's span for the command (tracing on), carried in the entry. */
export function commandPublisher(redis: Redis, stream: string): (cmd: EngineCommand, trace?: EntryTrace) => Promise<void> {
  return async (cmd, trace) => {
    // Partition key: the room, so one engine handles a room's commands in order within a batch.
    await publish(redis, stream, cmd.t, ('room' in cmd && cmd.room) || cmd.origin.conn, cmd, STREAM_MAXLEN.commands, trace);
  };
}
