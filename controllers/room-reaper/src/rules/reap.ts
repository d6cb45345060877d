// What to reap among gateways: which are dead, which connections a restarted container left
// behind, the disconnects that start their players' graces. Pure. (Rooms past a deadline are
// planned by @gambit/rooms' planDeadlines, the same plan the engines' scans use.)

/** What Kubernetes says about gateway pods, or `known: false` (no Kubernetes, or the pod list is not synced yet). */
export type PodView =
  | { known: false }
  | {
      known: true;
      /**
       * Pods that exist, by name: whether they reached a terminal phase (Failed / Succeeded: no
       * container runs), and when their containers last started (ms), when they run.
       */
      pods: Map<string, { terminal: boolean; startedAt?: number }>;
      /** Pods seen deleted (watch event, or missing from a re-list), by name: when we saw it (ms). */
      deleted: Map<string, number>;
    };

export type GatewayState =
  | 'alive'
  /** Dead: its connections get a `disconnect` and its registry entries go. */
  | 'dead'
  /** Its pod runs, but it has not heartbeated for GATEWAY_STALE_MS: reported, left alone (its liveness probe restarts it). */
  | 'unresponsive'
  /** It heartbeats, but no pod has its name: GATEWAY_ID is not the pod name, or the pod was force-deleted on a partitioned node. Reported. */
  | 'no-pod';

export interface GatewayVerdict { id: string; state: GatewayState; reason: string }

/**
 * `heartbeats`: gateway id -> last heartbeat (ms, the gateway's clock). A gateway that heartbeats is
 * never declared dead: that guards against a misconfigured GATEWAY_ID (which no pod would match)
 * disconnecting every player of a live gateway.
 */
export function classifyGateways(heartbeats: Map<string, number>, view: PodView, now: number, staleMs: number): GatewayVerdict[] {
  const out: GatewayVerdict[] = [];
  for (const [id, beat] of heartbeats) {
    const stale = now - beat > staleMs;
    if (!view.known) {
      out.push(stale ? { id, state: 'dead', reason: `no heartbeat for ${now - beat} ms` } : { id, state: 'alive', reason: 'heartbeating' });
      continue;
    }
    const pod = view.pods.get(id);
    const deletedAt = view.deleted.get(id);
    if (pod?.terminal) out.push({ id, state: 'dead', reason: 'its pod has terminated' });
    else if (pod) out.push(stale ? { id, state: 'unresponsive', reason: `pod exists, no heartbeat for ${now - beat} ms` } : { id, state: 'alive', reason: 'pod running, heartbeating' });
    else if (deletedAt !== undefined && beat <= deletedAt) out.push({ id, state: 'dead', reason: 'its pod was deleted' });
    else if (stale) out.push({ id, state: 'dead', reason: `no pod and no heartbeat for ${now - beat} ms` });
    else out.push({ id, state: 'no-pod', reason: 'heartbeating, but no pod has this name' });
  }
  return out;
}

export interface RegistryConnection {
  conn: string;
  gw: string;
  playerId: string;
  rooms: string[];
  /** When the gateway registered it (ms, the gateway's clock), if known. */
  since?: number;
}

/**
 * Connections a gateway registered before its container last started: they belonged to the
 * process that ran before a restart (same pod, same gateway id) and are gone with it. The gateway
 * and the kubelet share the node's clock.
 */
export function leftoverConnections(conns: RegistryConnection[], startedAt: number): RegistryConnection[] {
  return conns.filter((c) => c.since !== undefined && c.since < startedAt);
}

/** The `disconnect` commands that start the grace of every seat a dead gateway's connections held. */
export function disconnectsFor(conns: RegistryConnection[]): { room: string; conn: string; playerId: string; gw: string }[] {
  const out: { room: string; conn: string; playerId: string; gw: string }[] = [];
  for (const c of conns) {
    for (const room of new Set(c.rooms)) if (room) out.push({ room, conn: c.conn, playerId: c.playerId, gw: c.gw });
  }
  return out;
}

/** Parses a `conn:{id}` hash of the registry; null when it is not a usable entry. */
export function parseConnection(conn: string, h: Record<string, string>, gw: string): RegistryConnection | null {
  if (!h.playerId) return null;
  const c: RegistryConnection = { conn, gw: h.gw || gw, playerId: h.playerId, rooms: (h.rooms ?? '').split(',').map((r) => r.trim()).filter(Boolean) };
  const since = Number(h.since);
  if (h.since && Number.isFinite(since)) c.since = since;
  return c;
}
