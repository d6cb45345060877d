// Leader election over a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it. Pure:
// from the Lease last read and the local clock, what to write, and whether we lead.
//
// - A Lease is expired when its record has not changed for leaseDuration by *our* clock (the time
//   we observed the change, not its renewTime: the replicas' clocks may disagree).
// - The holder renews every retry period; if it cannot renew within renewDeadline (< leaseDuration)
//   it stops leading, so it has stopped before anyone else may take over.
// - Writes are conditional on the resourceVersion read: two candidates never both win.

export interface LeaseRecord {
  holder: string | null;
  leaseDurationSeconds: number;
  acquireTime: number | null;
  renewTime: number | null;
  transitions: number;
  resourceVersion: string;
}

export interface LeaseWrite {
  holder: string | null;
  leaseDurationSeconds: number;
  acquireTime: number | null;
  renewTime: number | null;
  transitions: number;
}

export interface ElectionSettings {
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
}

export interface ElectionState {
  /** The Lease as last read or written; null when it does not exist (or was never read). */
  observed: LeaseRecord | null;
  /** Local time at which `observed` last changed. */
  observedAt: number;
  /** Local time of our last successful acquire or renew; null when we do not hold the Lease. */
  renewedAt: number | null;
}

export const initialState = (): ElectionState => ({ observed: null, observedAt: 0, renewedAt: null });

/** Records what a read returned. */
export function observe(s: ElectionState, lease: LeaseRecord | null, now: number): ElectionState {
  const changed = !s.observed || !lease || s.observed.resourceVersion !== lease.resourceVersion;
  return { ...s, observed: lease, observedAt: changed ? now : s.observedAt };
}

export type Step =
  | { kind: 'create'; lease: LeaseWrite }
  | { kind: 'update'; lease: LeaseWrite; resourceVersion: string }
  | { kind: 'wait'; holder: string | null; expiresInMs: number };

export function nextStep(s: ElectionState, cfg: ElectionSettings, now: number): Step {
  const seconds = Math.max(1, Math.ceil(cfg.leaseDurationMs / 1000));
  const o = s.observed;
  if (!o) return { kind: 'create', lease: { holder: cfg.identity, leaseDurationSeconds: seconds, acquireTime: now, renewTime: now, transitions: 0 } };
  if (o.holder === cfg.identity) {
    return { kind: 'update', resourceVersion: o.resourceVersion, lease: { holder: cfg.identity, leaseDurationSeconds: seconds, acquireTime: o.acquireTime ?? now, renewTime: now, transitions: o.transitions } };
  }
  const expiresAt = s.observedAt + o.leaseDurationSeconds * 1000;
  if (o.holder && expiresAt > now) return { kind: 'wait', holder: o.holder, expiresInMs: expiresAt - now };
  // Free (released, or not renewed within its duration): take it over.
  return { kind: 'update', resourceVersion: o.resourceVersion, lease: { holder: cfg.identity, leaseDurationSeconds: seconds, acquireTime: now, renewTime: now, transitions: o.transitions + 1 } };
}

/** A write succeeded: we hold the Lease as written. */
export function written(s: ElectionState, lease: LeaseRecord, now: number): ElectionState {
  return { observed: lease, observedAt: now, renewedAt: now };
}

/** A read or write failed (conflict, API unreachable): we keep leading only within the renew deadline. */
export function failed(s: ElectionState, cfg: ElectionSettings, now: number): ElectionState {
  return s.renewedAt !== null && now - s.renewedAt >= cfg.renewDeadlineMs ? { ...s, renewedAt: null } : s;
}

/** Someone else holds the Lease (we read it): we do not lead. */
export function notHolding(s: ElectionState): ElectionState {
  return { ...s, renewedAt: null };
}

export function isLeader(s: ElectionState, cfg: ElectionSettings, now: number): boolean {
  return s.renewedAt !== null && now - s.renewedAt < cfg.renewDeadlineMs && s.observed?.holder === cfg.identity;
}

/** On a clean shutdown: give the Lease up so a standby takes over at once instead of after leaseDuration. */
export function release(s: ElectionState, cfg: ElectionSettings, now: number): { lease: LeaseWrite; resourceVersion: string } | null {
  if (!isLeader(s, cfg, now) || !s.observed) return null;
  return {
    resourceVersion: s.observed.resourceVersion,
    lease: { holder: null, leaseDurationSeconds: 1, acquireTime: null, renewTime: now, transitions: s.observed.transitions },
  };
}
