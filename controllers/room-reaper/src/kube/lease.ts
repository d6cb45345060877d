// Leader election on a coordination.k8s.io/v1 Lease: the loop around the pure state machine in
// ../rules/leader.ts, and the Lease reads and writes (GET, POST, PUT with the resourceVersion read).
import { V1MicroTime, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '@gambit/common';
import * as election from '../rules/leader.js';
import { describe, statusOf } from './client.js';

export interface LeaseStore {
  get(): Promise<election.LeaseRecord | null>;
  create(w: election.LeaseWrite): Promise<election.LeaseRecord>;
  /** Throws an error with code 409 when the Lease changed since `resourceVersion`. */
  replace(w: election.LeaseWrite, resourceVersion: string): Promise<election.LeaseRecord>;
}

/** The generated client keeps MicroTime fields as the string it read (it has no model for them). */
function ms(t: unknown): number | null {
  if (t === undefined || t === null || t === '') return null;
  const n = t instanceof Date ? t.getTime() : Date.parse(String(t));
  return Number.isFinite(n) ? n : null;
}

export function toRecord(l: V1Lease): election.LeaseRecord {
  return {
    holder: l.spec?.holderIdentity || null,
    leaseDurationSeconds: l.spec?.leaseDurationSeconds ?? 15,
    acquireTime: ms(l.spec?.acquireTime),
    renewTime: ms(l.spec?.renewTime),
    transitions: l.spec?.leaseTransitions ?? 0,
    resourceVersion: l.metadata?.resourceVersion ?? '',
  };
}

export class KubeLeaseStore implements LeaseStore {
  constructor(private readonly api: CoordinationV1Api, private readonly namespace: string, private readonly name: string) {}

  async get(): Promise<election.LeaseRecord | null> {
    try {
      return toRecord(await this.api.readNamespacedLease({ name: this.name, namespace: this.namespace }));
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async create(w: election.LeaseWrite): Promise<election.LeaseRecord> {
    return toRecord(await this.api.createNamespacedLease({ namespace: this.namespace, body: this.body(w) }));
  }

  async replace(w: election.LeaseWrite, resourceVersion: string): Promise<election.LeaseRecord> {
    const body = this.body(w);
    body.metadata!.resourceVersion = resourceVersion;
    return toRecord(await this.api.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body }));
  }

  private body(w: election.LeaseWrite): V1Lease {
    // MicroTime: the API server wants six fractional digits; V1MicroTime serialises that way.
    const spec: NonNullable<V1Lease['spec']> = { leaseDurationSeconds: w.leaseDurationSeconds, leaseTransitions: w.transitions };
    if (w.holder) spec.holderIdentity = w.holder;
    if (w.acquireTime !== null) spec.acquireTime = new V1MicroTime(w.acquireTime);
    if (w.renewTime !== null) spec.renewTime = new V1MicroTime(w.renewTime);
    return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.namespace }, spec };
  }
}

export interface ElectorOptions extends election.ElectionSettings {
  retryMs: number;
  store: LeaseStore;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  now?: () => number;
}

export class LeaderElector {
  private state = election.initialState();
  private leading = false;
  private timer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private running = false;
  private round?: Promise<void>;
  private readonly now: () => number;

  constructor(private readonly o: ElectorOptions) {
    this.now = o.now ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
    // Leadership ends at the renew deadline even while a request hangs.
    this.watchdog = setInterval(() => {
      if (this.running && this.leading) this.setLeading(election.isLeader(this.state, this.o, this.now()));
    }, Math.max(50, Math.min(this.o.retryMs, 1000)));
  }

  /** Stops campaigning; a leader gives the Lease up (unless `release` is false: a crash, in tests). */
  async stop(release = true): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
    await this.round;
    const r = election.release(this.state, this.o, this.now());
    this.setLeading(false);
    if (release && r) {
      try {
        await this.o.store.replace(r.lease, r.resourceVersion);
        this.o.log.info({ identity: this.o.identity }, 'lease released');
      } catch (err) {
        this.o.log.warn({ err: describe(err) }, 'could not release the lease; it expires on its own');
      }
    }
    this.state = election.initialState();
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.round = this.tryAcquireOrRenew().finally(() => {
        this.round = undefined;
        if (this.running) this.schedule(this.o.retryMs);
      });
    }, ms);
  }

  /** One round: read the Lease, write it when it is ours or free, update leadership. */
  async tryAcquireOrRenew(): Promise<void> {
    try {
      await withTimeout(this.o.renewDeadlineMs, async () => {
        const observed = election.observe(this.state, await this.o.store.get(), this.now());
        const step = election.nextStep(observed, this.o, this.now());
        if (step.kind === 'wait') {
          this.state = election.notHolding(observed);
          return;
        }
        this.state = observed;
        const rec = step.kind === 'create' ? await this.o.store.create(step.lease) : await this.o.store.replace(step.lease, step.resourceVersion);
        this.state = election.written(this.state, rec, this.now());
        if (!this.leading) this.o.log.info({ identity: this.o.identity, transitions: rec.transitions }, 'lease acquired');
      });
    } catch (err) {
      const code = statusOf(err);
      if (code !== 409) this.o.log.warn({ err: describe(err) }, 'lease read/write failed');
      this.state = election.failed(this.state, this.o, this.now());
    }
    if (!this.running) return;
    this.setLeading(election.isLeader(this.state, this.o, this.now()));
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    if (leading) this.o.onStartedLeading();
    else {
      this.o.log.warn({ identity: this.o.identity }, 'stopped leading');
      this.o.onStoppedLeading();
    }
  }
}

/** Runs `fn`, failing after `ms` (the request may go on; its result is ignored). */
async function withTimeout(ms: number, fn: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the API server within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
