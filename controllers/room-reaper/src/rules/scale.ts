// Desired gateway replicas from live connection counts: the HorizontalPodAutoscaler's algorithm
// (usage ratio, tolerance, pods without a count, stabilization windows, min/max) applied to one
// metric. Pure: the caller passes the counts, the clock and the history it keeps.
import { z } from 'zod';
import type { ConnectionScalerSpec } from '../crd.js';

export interface ScalePolicy {
  targetPerPod: number;
  minReplicas: number;
  maxReplicas: number;
  tolerance: number;
  scaleUpWindowMs: number;
  scaleDownWindowMs: number;
}

const spec = z
  .object({
    scaleTargetRef: z.object({ apiVersion: z.literal('apps/v1').default('apps/v1'), kind: z.literal('Deployment'), name: z.string().min(1) }),
    targetConnectionsPerPod: z.number().int().min(1),
    minReplicas: z.number().int().min(1).default(1),
    maxReplicas: z.number().int().min(1),
    tolerance: z.number().min(0).max(1).default(0.1),
    behavior: z
      .object({
        scaleUp: z.object({ stabilizationWindowSeconds: z.number().int().min(0).max(3600).default(0) }).default({ stabilizationWindowSeconds: 0 }),
        scaleDown: z.object({ stabilizationWindowSeconds: z.number().int().min(0).max(3600).default(300) }).default({ stabilizationWindowSeconds: 300 }),
      })
      .default({ scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 300 } }),
  })
  .refine((s) => s.minReplicas <= s.maxReplicas, { message: 'minReplicas must not exceed maxReplicas', path: ['minReplicas'] });

/**
 * The spec as the controller uses it, or every problem in it (reported in the resource's status:
 * the CRD's schema catches most of these, but not on clusters without CEL, nor after an edit of the
 * schema, and never silently).
 */
export function parseSpec(raw: unknown): { ok: true; target: string; policy: ScalePolicy } | { ok: false; problems: string[] } {
  const r = spec.safeParse(raw);
  if (!r.success) return { ok: false, problems: r.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`) };
  const s = r.data;
  return {
    ok: true,
    target: s.scaleTargetRef.name,
    policy: {
      targetPerPod: s.targetConnectionsPerPod,
      minReplicas: s.minReplicas,
      maxReplicas: s.maxReplicas,
      tolerance: s.tolerance,
      scaleUpWindowMs: s.behavior.scaleUp.stabilizationWindowSeconds * 1000,
      scaleDownWindowMs: s.behavior.scaleDown.stabilizationWindowSeconds * 1000,
    },
  };
}
export type { ConnectionScalerSpec };

export interface Recommendation { at: number; replicas: number }

export interface ScaleInput {
  policy: ScalePolicy;
  /** Replicas of the Deployment now (its /scale subresource). */
  currentReplicas: number;
  /** One entry per running pod of the Deployment: its live connections, or null when it has no fresh count. */
  counts: (number | null)[];
  /** Earlier raw recommendations (the caller keeps what `decideScale` returns). */
  history: Recommendation[];
  /** Since when this process has been recommending: a window is trusted only once it is covered. */
  observingSince: number;
  now: number;
}

export type ScaleReason =
  | 'ScalingDisabled' // the Deployment was scaled to zero by someone: hands off, as the HPA does
  | 'BelowMin'
  | 'AboveMax'
  | 'NoMetrics' // no pod reports a count: hold
  | 'WithinTolerance'
  | 'Stabilizing' // the raw recommendation differs, but the windows hold the current size
  | 'Load'; // the connections ask for another size

export interface ScaleDecision {
  desired: number;
  /** This round's raw recommendation (before windows and min/max), null without metrics. */
  recommendation: number | null;
  totalConnections: number;
  reportingPods: number;
  reason: ScaleReason;
  /** The desired size was cut to minReplicas or maxReplicas. */
  limited: 'min' | 'max' | null;
  history: Recommendation[];
  message: string;
}

const clamp = (n: number, p: ScalePolicy) => Math.min(p.maxReplicas, Math.max(p.minReplicas, n));

export function decideScale(input: ScaleInput): ScaleDecision {
  const { policy: p, currentReplicas: current, counts, now } = input;
  const reported = counts.filter((c): c is number => c !== null && Number.isFinite(c) && c >= 0);
  const total = reported.reduce((a, b) => a + b, 0);
  const base = { totalConnections: total, reportingPods: reported.length };
  const keep = Math.max(p.scaleUpWindowMs, p.scaleDownWindowMs);
  const recent = input.history.filter((r) => r.at > now - keep && r.at <= now);

  if (current === 0) {
    return { ...base, desired: 0, recommendation: null, reason: 'ScalingDisabled', limited: null, history: recent, message: 'the Deployment has 0 replicas: scaling is disabled until someone scales it up' };
  }
  if (current < p.minReplicas || current > p.maxReplicas) {
    const desired = clamp(current, p);
    const reason = current < p.minReplicas ? 'BelowMin' : 'AboveMax';
    return { ...base, desired, recommendation: null, reason, limited: current < p.minReplicas ? 'min' : 'max', history: recent, message: `${current} replicas is outside [${p.minReplicas}, ${p.maxReplicas}]` };
  }
  if (reported.length === 0) {
    return { ...base, desired: current, recommendation: null, reason: 'NoMetrics', limited: null, history: recent, message: `none of the ${counts.length} pods reports a connection count: holding ${current} replicas` };
  }

  const rec = recommend(p, current, counts.length, reported.length, total);
  const history = [...recent, { at: now, replicas: rec.replicas }];

  // Stabilization (as the HPA): scale up only to the lowest recommendation of the scale-up window,
  // down only to the highest of the scale-down window. A window this process has not watched for
  // its whole length (it just became leader) does not allow moving in its direction yet.
  let upTo = rec.replicas;
  let downTo = rec.replicas;
  for (const r of history) {
    if (r.at > now - p.scaleUpWindowMs) upTo = Math.min(upTo, r.replicas);
    if (r.at > now - p.scaleDownWindowMs) downTo = Math.max(downTo, r.replicas);
  }
  const watched = now - input.observingSince;
  if (watched < p.scaleUpWindowMs) upTo = Math.min(upTo, current);
  if (watched < p.scaleDownWindowMs) downTo = Math.max(downTo, current);
  let stabilized = current;
  if (stabilized < upTo) stabilized = upTo;
  if (stabilized > downTo) stabilized = downTo;

  const desired = clamp(stabilized, p);
  const limited = desired !== stabilized ? (stabilized < p.minReplicas ? 'min' : 'max') : null;
  const reason: ScaleReason = rec.withinTolerance ? 'WithinTolerance' : stabilized === rec.replicas ? 'Load' : 'Stabilizing';
  const message = `${total} connections on ${reported.length}/${counts.length} reporting pods, target ${p.targetPerPod} per pod: recommend ${rec.replicas}, desired ${desired}` +
    (reason === 'Stabilizing' ? ' (held by the stabilization window)' : '') + (limited ? ` (limited by ${limited}Replicas)` : '');
  return { ...base, desired, recommendation: rec.replicas, reason, limited, history, message };
}

/**
 * The raw recommendation. Pods without a count are assumed empty when the others ask for more
 * pods and full (at the target) when they ask for fewer, so a missing count never drives a change.
 */
function recommend(p: ScalePolicy, current: number, pods: number, reporting: number, total: number): { replicas: number; withinTolerance: boolean } {
  const ratio = total / (reporting * p.targetPerPod);
  const missing = pods - reporting;
  let adjusted = total;
  if (missing > 0) {
    if (ratio > 1) adjusted = total;
    else if (ratio < 1) adjusted = total + missing * p.targetPerPod;
  }
  const adjustedRatio = adjusted / (pods * p.targetPerPod);
  const flipped = missing > 0 && (ratio > 1 ? adjustedRatio < 1 : ratio < 1 ? adjustedRatio > 1 : false);
  if (flipped || Math.abs(adjustedRatio - 1) <= p.tolerance) return { replicas: current, withinTolerance: true };
  return { replicas: Math.max(0, Math.ceil(adjusted / p.targetPerPod - 1e-9)), withinTolerance: false };
}

export interface Ownership {
  target: string;
  /** Other ConnectionScalers in the namespace: name, target, creation time (ms). */
  scalers: { name: string; target: string | undefined; createdAt: number }[];
  self: { name: string; createdAt: number };
  /** HorizontalPodAutoscalers in the namespace: name and what they scale. */
  hpas: { name: string; kind: string | undefined; target: string | undefined }[];
  /** The Deployment's /scale: null when the Deployment does not exist. */
  scale: { replicas: number; selector: string | undefined } | null;
}

export type Blocker = { reason: 'ConflictingHPA' | 'ConflictingScaler' | 'DeploymentNotFound' | 'NoSelector'; message: string };

/**
 * Why this scaler must not touch the Deployment, if anything: an HPA on it (the controller reports
 * and never fights it), an older ConnectionScaler on it (the oldest wins; ties go to the smaller
 * name), no such Deployment, or a /scale without a selector to find its pods.
 */
export function scalingBlocker(o: Ownership): Blocker | null {
  const hpa = o.hpas.find((h) => h.kind === 'Deployment' && h.target === o.target);
  if (hpa) return { reason: 'ConflictingHPA', message: `HorizontalPodAutoscaler ${hpa.name} also scales Deployment ${o.target}: not scaling it` };
  const older = o.scalers.find((s) => s.name !== o.self.name && s.target === o.target &&
    (s.createdAt < o.self.createdAt || (s.createdAt === o.self.createdAt && s.name < o.self.name)));
  if (older) return { reason: 'ConflictingScaler', message: `ConnectionScaler ${older.name} already scales Deployment ${o.target}` };
  if (!o.scale) return { reason: 'DeploymentNotFound', message: `Deployment ${o.target} does not exist` };
  if (!o.scale.selector) return { reason: 'NoSelector', message: `the /scale of Deployment ${o.target} has no label selector` };
  return null;
}
