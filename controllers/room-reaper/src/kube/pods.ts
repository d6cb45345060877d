// The gateway pods, from a pod informer: which exist, which reached a terminal phase, and which
// were deleted recently (a tombstone per deletion, kept long enough for the janitor to act on it).
import type { CoreV1Api, V1Pod, Watch } from '@kubernetes/client-node';
import type { Logger } from '@gambit/common';
import type { PodView } from '../rules/reap.js';
import { Informer } from './informer.js';

const TOMBSTONE_MS = 30 * 60_000;

export interface PodTrackerOptions {
  core: CoreV1Api;
  watch: Watch;
  namespace: string;
  labelSelector: string;
  /** The gateway's container in the pod: its restarts leave the previous process's sockets behind. */
  container: string;
  log: Logger;
  onDeleted?: (name: string) => void;
  onRestart?: (reason: 'gone' | 'closed' | 'error' | 'timeout') => void;
  backoffMs?: { base: number; max: number };
}

export class PodTracker {
  readonly informer: Informer<V1Pod>;
  private readonly deleted = new Map<string, number>();

  constructor(private readonly o: PodTrackerOptions) {
    this.informer = new Informer<V1Pod>({
      path: `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods`,
      list: () => o.core.listNamespacedPod({ namespace: o.namespace, labelSelector: o.labelSelector }),
      watch: o.watch,
      labelSelector: o.labelSelector,
      log: o.log,
      timeoutSeconds: 240 + Math.floor(Math.random() * 60),
      ...(o.backoffMs ? { backoffMs: o.backoffMs } : {}),
      ...(o.onRestart ? { onRestart: o.onRestart } : {}),
    });
    this.informer.on('delete', (pod) => {
      const name = pod.metadata?.name;
      if (!name) return;
      this.deleted.set(name, Date.now());
      o.onDeleted?.(name);
    });
    this.informer.on('add', (pod) => {
      // A new pod with the name of a deleted one (a StatefulSet would do that): not deleted any more.
      if (pod.metadata?.name) this.deleted.delete(pod.metadata.name);
    });
  }

  start(): void {
    this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  get synced(): boolean {
    return this.informer.synced;
  }

  /** Names of the running (not terminal, not being deleted) pods. */
  runningPods(): V1Pod[] {
    return this.informer.list().filter((p) => !isTerminal(p) && !p.metadata?.deletionTimestamp);
  }

  view(now = Date.now()): PodView {
    if (!this.informer.synced) return { known: false };
    for (const [name, at] of this.deleted) if (now - at > TOMBSTONE_MS) this.deleted.delete(name);
    const pods = new Map<string, { terminal: boolean; startedAt?: number }>();
    for (const p of this.informer.list()) {
      if (!p.metadata?.name) continue;
      const startedAt = containerStartedAt(p, this.o.container);
      pods.set(p.metadata.name, startedAt === undefined ? { terminal: isTerminal(p) } : { terminal: isTerminal(p), startedAt });
    }
    return { known: true, pods, deleted: new Map(this.deleted) };
  }
}

export function isTerminal(p: V1Pod): boolean {
  return p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
}

/** When the named container of the pod last (re)started, while it runs. */
export function containerStartedAt(p: V1Pod, container: string): number | undefined {
  const t = p.status?.containerStatuses?.find((c) => c.name === container)?.state?.running?.startedAt;
  const ms = t === undefined ? Number.NaN : t instanceof Date ? t.getTime() : Date.parse(String(t));
  return Number.isFinite(ms) ? ms : undefined;
}
