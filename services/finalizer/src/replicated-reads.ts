// COMMIT_DURABILITY=replicated for the finalizer (docs/redis-cluster.md, section 4): a finalize
// entry reaches DynamoDB only once a replica has it. Replication is asynchronous, so a finalizer can
// read an entry no replica has yet; if the primary then fails, the promoted replica has neither the
// entry nor the room's end, and a game already recorded would play on (and may end otherwise).
// This is the transport's afterRead hook: WAIT on the connection that read the batch. The rule
// (how many replicas, how long, what a shortfall means) is the caller's; this is the Redis side.
import type { RedisClient } from '@gambit/common';

export interface ReadWait {
  /** Replicas that must acknowledge (1: the one promoted in a failover). */
  replicas: number;
  timeoutMs: number;
  /** Told when the timeout passed first; the batch is handled anyway (availability, as the engine's commits). */
  unreplicated: (acked: number, stream: string, count: number) => void;
}

/**
 * The afterRead hook. WAIT counts the replicas that acknowledged this connection's last propagated
 * write, and the read is one: XREADGROUP and XAUTOCLAIM change the group's pending list, which
 * replicates, so the acknowledgement covers every write before the read, the entries included
 * (checked on redis-server 7.0 with a stopped replica, for a blocking read woken by XADD too:
 * test/integration/finalizer-durability.test.ts).
 */
export function waitForReplicas(w: ReadWait): (conn: RedisClient, stream: string, count: number) => Promise<void> {
  return async (conn, stream, count) => {
    // A keyless WAIT on a Cluster client goes to any node, where this connection wrote nothing and
    // WAIT answers at once. A pipeline goes to the node of its keys, on the client's one connection
    // to it (the one the read used): the keyed XLEN, O(1), takes the WAIT to the stream's primary.
    // On a single Redis the same pipeline costs one round trip, as WAIT alone would.
    const res = await conn.pipeline().xlen(stream).wait(w.replicas, w.timeoutMs).exec();
    const [waitErr, acked] = res?.[1] ?? [new Error('the WAIT pipeline was not run')];
    if (waitErr) throw waitErr;
    if (Number(acked) < w.replicas) w.unreplicated(Number(acked), stream, count);
  };
}
