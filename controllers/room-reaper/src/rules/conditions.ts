// Status conditions of a ConnectionScaler: the new set, keeping lastTransitionTime when a
// condition's status did not change, and which changes deserve a Kubernetes Event. Pure.
import type { ScalerCondition } from '../crd.js';

export type ConditionInput = Omit<ScalerCondition, 'lastTransitionTime' | 'observedGeneration'>;

export function mergeConditions(old: ScalerCondition[] | undefined, next: ConditionInput[], now: string, generation?: number): ScalerCondition[] {
  return next.map((c) => {
    const before = old?.find((o) => o.type === c.type);
    const lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : now;
    const out: ScalerCondition = { ...c, lastTransitionTime };
    if (generation !== undefined) out.observedGeneration = generation;
    return out;
  });
}

/** A condition that says the scaler cannot do its job (ScalingLimited is information, not a problem). */
const isProblem = (c: Pick<ScalerCondition, 'type' | 'status'>) => c.type !== 'ScalingLimited' && c.status === 'False';

/**
 * Problems that are new (the condition turned False, or its reason changed): one Warning event per
 * distinct reason, so a steady problem is announced once, not every round.
 */
export function newProblems(old: ScalerCondition[] | undefined, next: ConditionInput[]): ConditionInput[] {
  const seen = new Set<string>();
  return next.filter((c) => {
    if (!isProblem(c) || seen.has(c.reason)) return false;
    seen.add(c.reason);
    const before = old?.find((o) => o.type === c.type);
    return !before || !isProblem(before) || before.reason !== c.reason;
  });
}
