// Reconciles ConnectionScalers: reads the gateway Deployment's /scale and its pods' live connection
// counts, decides (../rules/scale.ts), sets pod-deletion-cost before a scale-down, patches /scale,
// and records what it did in the resource's status and as Events. Steps aside (a condition, no
// scaling) when an HPA or an older ConnectionScaler targets the same Deployment.
import type { V1Pod, V1Scale } from '@kubernetes/client-node';
import type { Logger } from '@gambit/common';
import { API_VERSION, GROUP, KIND, PLURAL, POD_DELETION_COST, VERSION, type ConnectionScaler, type ConnectionScalerStatus } from '../crd.js';
import { decideScale, parseSpec, scalingBlocker, type Recommendation, type ScaleDecision } from '../rules/scale.js';
import { deletionCosts, likelyRemoved } from '../rules/deletion-cost.js';
import { mergeConditions, newProblems, type ConditionInput } from '../rules/conditions.js';
import type { ControllerMetrics } from '../metrics.js';
import { MERGE_PATCH, STRATEGIC_MERGE_PATCH, describe, statusOf, type KubeApis } from './client.js';
import { isTerminal } from './pods.js';

export const FIELD_MANAGER = 'gambit-room-reaper';

export interface ScalerOptions {
  apis: KubeApis;
  namespace: string;
  /** This replica (the pod name), named in Events. */
  identity: string;
  log: Logger;
  metrics: ControllerMetrics;
  counts: (pods: string[]) => Promise<(number | null)[]>;
  now?: () => number;
}

export type ScaleOutcome = { scaler: string; outcome: 'up' | 'down' | 'hold' | 'blocked'; desired?: number; reason: string };

export class ScaleReconciler {
  private readonly memory = new Map<string, { since: number; history: Recommendation[] }>();
  private crdMissing = false;
  private readonly now: () => number;

  constructor(private readonly o: ScalerOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Forget the recommendation history (this replica stopped leading: its windows start over). */
  reset(): void {
    this.memory.clear();
  }

  async runOnce(): Promise<ScaleOutcome[]> {
    const { custom } = this.o.apis;
    let list: { items?: ConnectionScaler[] };
    try {
      list = (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.o.namespace, plural: PLURAL })) as { items?: ConnectionScaler[] };
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      // The CRD is not installed: nothing to scale. Said once, not every round.
      if (!this.crdMissing) this.o.log.warn({ crd: `${PLURAL}.${GROUP}` }, 'the ConnectionScaler CRD is not installed: no scaling');
      this.crdMissing = true;
      return [];
    }
    this.crdMissing = false;
    const items = list.items ?? [];
    const uids = new Set(items.map(uidOf));
    for (const k of this.memory.keys()) if (!uids.has(k)) this.memory.delete(k);
    const out: ScaleOutcome[] = [];
    let failed = 0;
    for (const cr of items) {
      try {
        out.push(await this.reconcile(cr, items));
      } catch (err) {
        failed++;
        this.o.log.error({ scaler: cr.metadata.name, err: describe(err) }, 'scaler reconcile failed');
      }
    }
    if (failed) throw new Error(`${failed} of ${items.length} ConnectionScalers failed`);
    return out;
  }

  async reconcile(cr: ConnectionScaler, all: ConnectionScaler[] = [cr]): Promise<ScaleOutcome> {
    const name = cr.metadata.name;
    const now = this.now();
    const spec = parseSpec(cr.spec);
    if (!spec.ok) {
      const message = spec.problems.join('; ');
      await this.finish(cr, {}, [
        { type: 'AbleToScale', status: 'False', reason: 'InvalidSpec', message },
        { type: 'ScalingActive', status: 'False', reason: 'InvalidSpec', message },
      ]);
      return this.outcome(name, 'blocked', 'InvalidSpec');
    }
    const target = spec.target;
    const block = async (reason: string, message: string, current?: number): Promise<ScaleOutcome> => {
      const status: ConnectionScalerStatus = current === undefined ? {} : { currentReplicas: current };
      await this.finish(cr, status, [
        { type: 'AbleToScale', status: 'False', reason, message },
        { type: 'ScalingActive', status: 'False', reason, message },
      ]);
      return this.outcome(name, 'blocked', reason);
    };

    const hpas = await this.o.apis.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: this.o.namespace });
    let scale: V1Scale | null = null;
    try {
      scale = await this.o.apis.apps.readNamespacedDeploymentScale({ name: target, namespace: this.o.namespace });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    const current = scale?.spec?.replicas ?? 0;
    const selector = scale?.status?.selector;
    const blocker = scalingBlocker({
      target,
      self: { name, createdAt: createdAt(cr) },
      scalers: all.map((o) => ({ name: o.metadata.name, target: o.spec?.scaleTargetRef?.name, createdAt: createdAt(o) })),
      hpas: hpas.items.map((h) => ({ name: h.metadata?.name ?? '', kind: h.spec?.scaleTargetRef?.kind, target: h.spec?.scaleTargetRef?.name })),
      scale: scale ? { replicas: current, selector } : null,
    });
    if (blocker || !scale || !selector) {
      const b = blocker ?? { reason: 'NoSelector', message: 'no selector' };
      return block(b.reason, b.message, scale ? current : undefined);
    }

    const podList = await this.o.apis.core.listNamespacedPod({ namespace: this.o.namespace, labelSelector: selector });
    const pods = podList.items.filter((p) => p.metadata?.name && !p.metadata.deletionTimestamp && !isTerminal(p));
    const names = pods.map((p) => p.metadata!.name!);
    const counts = await this.o.counts(names);

    const key = uidOf(cr);
    const mem = this.memory.get(key) ?? { since: now, history: [] };
    const d = decideScale({ policy: spec.policy, currentReplicas: current, counts, history: mem.history, observingSince: mem.since, now });
    this.memory.set(key, { since: mem.since, history: d.history });
    this.o.metrics.connections.set({ scaler: name }, d.totalConnections);
    this.o.metrics.desiredReplicas.set({ scaler: name }, d.desired);
    this.o.metrics.targetPerPod.set({ scaler: name }, spec.policy.targetPerPod);

    let lastScaleTime = cr.status?.lastScaleTime;
    if (d.desired !== current) {
      if (d.desired < current) await this.setDeletionCosts(pods, counts, current, d.desired);
      await this.o.apis.apps.patchNamespacedDeploymentScale(
        { name: target, namespace: this.o.namespace, body: { spec: { replicas: d.desired } }, fieldManager: FIELD_MANAGER },
        MERGE_PATCH,
      );
      lastScaleTime = new Date(now).toISOString();
      this.o.log.info({ scaler: name, deployment: target, from: current, to: d.desired, reason: d.reason, connections: d.totalConnections }, 'scaled');
      await this.event(cr, 'Normal', 'SuccessfulRescale', `New size: ${d.desired}; reason: ${d.message}`);
    }
    const status: ConnectionScalerStatus = {
      currentReplicas: scale.status?.replicas ?? current,
      desiredReplicas: d.desired,
      totalConnections: d.totalConnections,
      reportingPods: d.reportingPods,
    };
    if (lastScaleTime) status.lastScaleTime = lastScaleTime;
    await this.finish(cr, status, conditionsOf(d, current !== d.desired));
    const outcome = d.desired > current ? 'up' : d.desired < current ? 'down' : 'hold';
    return this.outcome(name, outcome, d.reason, d.desired);
  }

  private async setDeletionCosts(pods: V1Pod[], counts: (number | null)[], current: number, desired: number): Promise<void> {
    const loads = pods.map((p, i) => ({ name: p.metadata!.name!, connections: counts[i] ?? null, currentCost: p.metadata?.annotations?.[POD_DELETION_COST] }));
    for (const { name, cost } of deletionCosts(loads)) {
      try {
        await this.o.apis.core.patchNamespacedPod(
          { name, namespace: this.o.namespace, body: { metadata: { annotations: { [POD_DELETION_COST]: cost } } }, fieldManager: FIELD_MANAGER },
          STRATEGIC_MERGE_PATCH,
        );
      } catch (err) {
        if (statusOf(err) !== 404) throw err; // a pod that is already gone costs nothing
      }
    }
    this.o.log.info({ removeFirst: likelyRemoved(loads, current, desired) }, 'pod deletion costs set before scale-down');
  }

  /** Writes the status (conditions merged, Warning events for new problems) when it changed. */
  private async finish(cr: ConnectionScaler, status: ConnectionScalerStatus, conditions: ConditionInput[]): Promise<void> {
    const nowIso = new Date(this.now()).toISOString();
    const old = cr.status ?? {};
    const next: ConnectionScalerStatus = { ...status, conditions: mergeConditions(old.conditions, conditions, nowIso, cr.metadata.generation) };
    if (cr.metadata.generation !== undefined) next.observedGeneration = cr.metadata.generation;
    for (const c of newProblems(old.conditions, conditions)) await this.event(cr, 'Warning', c.reason, c.message);
    if (sameStatus(old, next)) return;
    await this.o.apis.custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: this.o.namespace, plural: PLURAL, name: cr.metadata.name, body: { status: { ...nulls(old, next), ...next } }, fieldManager: FIELD_MANAGER },
      MERGE_PATCH,
    );
  }

  private async event(cr: ConnectionScaler, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const at = new Date(this.now());
    try {
      await this.o.apis.core.createNamespacedEvent({
        namespace: this.o.namespace,
        body: {
          metadata: { generateName: `${cr.metadata.name}.`, namespace: this.o.namespace },
          involvedObject: { apiVersion: API_VERSION, kind: KIND, name: cr.metadata.name, namespace: this.o.namespace, uid: cr.metadata.uid, resourceVersion: cr.metadata.resourceVersion },
          type, reason, message: message.slice(0, 1024),
          source: { component: FIELD_MANAGER, host: this.o.identity },
          firstTimestamp: at, lastTimestamp: at, count: 1,
        },
      });
    } catch (err) {
      this.o.log.warn({ err: describe(err), reason }, 'event not recorded');
    }
  }

  private outcome(scaler: string, outcome: ScaleOutcome['outcome'], reason: string, desired?: number): ScaleOutcome {
    this.o.metrics.scaleDecisions.inc({ scaler, outcome });
    return desired === undefined ? { scaler, outcome, reason } : { scaler, outcome, reason, desired };
  }
}

function conditionsOf(d: ScaleDecision, scaled: boolean): ConditionInput[] {
  const able: ConditionInput = scaled
    ? { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `scaled to ${d.desired}` }
    : { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'the Deployment can be scaled' };
  const active: ConditionInput =
    d.reason === 'ScalingDisabled' ? { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: d.message }
      : d.reportingPods === 0 ? { type: 'ScalingActive', status: 'False', reason: 'NoMetrics', message: d.message }
        : { type: 'ScalingActive', status: 'True', reason: 'ValidMetric', message: d.message };
  const limited: ConditionInput = d.limited
    ? { type: 'ScalingLimited', status: 'True', reason: d.limited === 'min' ? 'TooFewReplicas' : 'TooManyReplicas', message: d.message }
    : { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  return [able, active, limited];
}

const uidOf = (cr: ConnectionScaler) => cr.metadata.uid ?? `${cr.metadata.namespace}/${cr.metadata.name}`;

const createdAt = (cr: ConnectionScaler) => Date.parse(String(cr.metadata.creationTimestamp ?? '')) || 0;

function sameStatus(a: ConnectionScalerStatus, b: ConnectionScalerStatus): boolean {
  const norm = (s: ConnectionScalerStatus) => JSON.stringify(Object.keys(s).sort().map((k) => [k, s[k as keyof ConnectionScalerStatus]]));
  return norm(a) === norm(b);
}

/** Merge patch: fields the new status no longer has are removed with null. */
function nulls(old: ConnectionScalerStatus, next: ConnectionScalerStatus): Record<string, null> {
  const out: Record<string, null> = {};
  for (const k of Object.keys(old)) if (!(k in next)) out[k] = null;
  return out;
}
