// Puts the gateway's commands on the engines' command streams, one per room shard
// (docs/redis-cluster.md): all of a room's commands go to its shard's stream, so they stay in order.
import type { RedisClient } from '@gambit/common';
import { STREAM_MAXLEN, type Keys } from '@gambit/common';
import { publish } from '@gambit/streams';
import type { EngineCommand, EntryTrace } from '@gambit/protocol';

/** `trace`: the trace context of the gateway's span for the command (tracing on), carried in the entry. */
export function commandPublisher(redis: RedisClient, keys: Keys): (cmd: EngineCommand, trace?: EntryTrace) => Promise<void> {
  return async (cmd, trace) => {
    // Partition key: the room, so one engine handles a room's commands in order within a batch. A
    // command without a room yet (`create`) goes by its connection: the engine draws the new room's
    // code inside the shard of the stream it arrived on.
    const key = ('room' in cmd && cmd.room) || cmd.origin.conn;
    await publish(redis, keys.commands(keys.shardOf(key)), cmd.t, key, cmd, STREAM_MAXLEN.commands, trace);
  };
}
