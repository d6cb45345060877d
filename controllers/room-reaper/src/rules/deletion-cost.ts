// Before a scale-down: pod-deletion-cost annotations so the ReplicaSet removes the emptiest gateway
// pods first (fewest players to reconnect). Pure: which pods need which annotation value.

export interface PodLoad {
  name: string;
  /** Live connections, or null when the pod reports none (new, or not heartbeating). */
  connections: number | null;
  /** The pod's current controller.kubernetes.io/pod-deletion-cost annotation, if any. */
  currentCost?: string | undefined;
}

const INT32_MAX = 2_147_483_647;

/**
 * The cost is the pod's connection count: a pod with no connections, or one that reports nothing
 * (holding nobody we can see), costs 0 and goes first. Only pods whose annotation would change are
 * returned, so a repeated scale-down patches nothing twice.
 */
export function deletionCosts(pods: PodLoad[]): { name: string; cost: string }[] {
  const out: { name: string; cost: string }[] = [];
  for (const p of pods) {
    const n = p.connections === null || !Number.isFinite(p.connections) ? 0 : Math.min(INT32_MAX, Math.max(0, Math.floor(p.connections)));
    const cost = String(n);
    if (p.currentCost !== cost) out.push({ name: p.name, cost });
  }
  return out;
}

/** The pods a scale-down from `current` to `desired` should remove, as the costs rank them (for logs and events). */
export function likelyRemoved(pods: PodLoad[], current: number, desired: number): string[] {
  const n = Math.max(0, Math.min(pods.length, current - desired));
  return [...pods]
    .sort((a, b) => (a.connections ?? 0) - (b.connections ?? 0) || a.name.localeCompare(b.name))
    .slice(0, n)
    .map((p) => p.name);
}
