// How one construct tree becomes both a Helm chart and plain manifests.
//
// Constructs never read settings directly: they ask a Binding. In `literal` mode the Binding
// answers with the values themselves (plain Kubernetes objects, what `Testing.synth` snapshots).
// In `helm` mode it answers with Helm template text in strings ("{{ .Values.gateway.replicas |
// int64 }}") and a few markers the YAML emitter (emit.ts) turns into template structure:
//   "@@yaml PIPELINE"        as a value: the YAML the pipeline prints (toYaml of a setting)
//   "@@text PIPELINE"        as a value: a block scalar with the text the pipeline prints (.Files.Get)
//   "@@merge EXPR"           as a map key: the entries of a map setting merged into this map
//   "@@if COND@@key"         as a map key: the entry exists only when COND holds
//   { "@@if COND": item }    as a list item: the item exists only when COND holds
// Object-level conditions (a whole ServiceMonitor when monitoring is on) are kept per construct
// scope (`optional`) and wrap the object's template file in {{- if }}.
// The same code therefore yields `helm template` output and plain manifests that must agree;
// test/k8s/chart.test.ts checks that they do for every values profile.
import { Construct } from 'constructs';
import type { Values } from './values.js';

export type Mode = 'helm' | 'literal';
export interface Release {
  name: string;
  namespace: string;
  /** .Release.Service: "Helm" under helm; plain manifests say "cdk8s". */
  service?: string;
}
export const CHART = { name: 'gambit', version: '0.1.0', appVersion: '0.1.0' } as const;

/** A value known both as a Helm expression and as a plain value. */
export interface Expr<T = unknown> {
  readonly helm: string;
  readonly literal: T;
}
export interface Cond {
  readonly helm: string;
  readonly literal: boolean;
}
type Get<T> = ((v: Values) => T) | Expr<T>;

const PATH = Symbol('path');
function recorder(path: string[]): unknown {
  return new Proxy({}, { get: (_t, key) => (key === PATH ? path : recorder([...path, String(key)])) });
}
/** `v => v.gateway.replicas` -> ".Values.gateway.replicas" */
export function valuesPath(get: (v: Values) => unknown): string {
  const path = (get(recorder([]) as Values) as { [PATH]: string[] })[PATH];
  if (!Array.isArray(path) || path.length === 0) throw new Error(`not a values accessor: ${get.toString()}`);
  return '.Values.' + path.join('.');
}

/** Go template truthiness: false, 0, nil, "" and empty maps and lists are false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Parentheses around a pipeline that is more than one term. */
const paren = (expr: string) => (/\s/.test(expr) && !/^\(.*\)$/.test(expr) ? `(${expr})` : expr);
const trunc63 = (s: string) => s.slice(0, 63).replace(/-+$/, '');

export class Binding {
  private readonly conds = new WeakMap<Construct, Cond>();

  readonly mode: Mode;
  readonly values: Values;
  readonly release: Release;

  constructor(mode: Mode, values: Values, release: Release) {
    this.mode = mode;
    this.values = values;
    this.release = release;
  }

  get helm(): boolean {
    return this.mode === 'helm';
  }

  // --- expressions -------------------------------------------------------------------------------

  v<T>(get: Get<T>): Expr<T> {
    if (typeof get !== 'function') return get;
    return { helm: valuesPath(get), literal: get(this.values) };
  }
  /** A whole string value (quoted by Helm, so "true" or "0123" stay strings). */
  s(get: Get<unknown>): string {
    const e = this.v(get);
    return this.helm ? `{{ ${e.helm} | quote }}` : String(e.literal);
  }
  /** A whole integer value. */
  n(get: Get<number>): number {
    const e = this.v(get);
    return (this.helm ? `{{ ${e.helm} | int64 }}` : e.literal) as number;
  }
  /** A whole boolean value. */
  bool(get: Get<boolean>): boolean {
    const e = this.v(get);
    return (this.helm ? `{{ ${e.helm} }}` : e.literal) as boolean;
  }
  /** An integer setting as an environment variable value ("10000", never 1e+04). */
  envInt(get: Get<number>): string {
    const e = this.v(get);
    return this.helm ? `{{ ${e.helm} | int64 | quote }}` : String(e.literal);
  }
  /** Text with expressions in it: b.cat(b.fullname, '-gateway'). The expressions must print DNS-safe text. */
  cat(...parts: (string | number | Expr)[]): string {
    if (!this.helm) return parts.map((p) => (typeof p === 'object' ? String(p.literal) : String(p))).join('');
    return parts.map((p) => (typeof p === 'object' ? `{{ ${p.helm} }}` : String(p))).join('');
  }
  /** A structured setting (map, list) placed as YAML. */
  yaml<T>(get: Get<T>): T {
    const e = this.v(get);
    return (this.helm ? `@@yaml toYaml ${paren(e.helm)}` : structuredClone(e.literal)) as T;
  }
  /** YAML printed by any pipeline (e.g. an include). */
  yamlOf<T>(pipeline: string, literal: T): T {
    return (this.helm ? `@@yaml ${pipeline}` : literal) as T;
  }
  /** A text block printed by a pipeline (e.g. .Files.Get). */
  textOf(pipeline: string, literal: string): string {
    return this.helm ? `@@text ${pipeline}` : literal;
  }
  /** An expression computed from other expressions: sprig in Helm, `literal` here. */
  computed<T>(helm: string, literal: T): Expr<T> {
    return { helm, literal };
  }

  // --- conditions --------------------------------------------------------------------------------

  readonly always: Cond = { helm: 'true', literal: true };
  /** Only in the chart (helm test hooks), never in plain manifests. */
  readonly helmOnly: Cond = { helm: 'true', literal: false };
  truthy(get: Get<unknown>): Cond {
    const e = this.v(get);
    return { helm: e.helm, literal: truthy(e.literal) };
  }
  eq(get: Get<unknown>, value: string | number | boolean): Cond {
    const e = this.v(get);
    return { helm: `(eq ${e.helm} ${JSON.stringify(value)})`, literal: e.literal === value };
  }
  not(c: Cond): Cond {
    return { helm: `(not ${c.helm})`, literal: !c.literal };
  }
  and(...cs: Cond[]): Cond {
    const real = cs.filter((c) => c.helm !== 'true');
    if (real.length === 0) return { helm: 'true', literal: cs.every((c) => c.literal) };
    if (real.length === 1) return { helm: real[0]!.helm, literal: cs.every((c) => c.literal) };
    return { helm: `(and ${real.map((c) => c.helm).join(' ')})`, literal: cs.every((c) => c.literal) };
  }
  or(...cs: Cond[]): Cond {
    return { helm: `(or ${cs.map((c) => c.helm).join(' ')})`, literal: cs.some((c) => c.literal) };
  }

  // --- conditional structure ----------------------------------------------------------------------

  /** A list item that exists only when `c` holds. Filter lists with `present`. */
  item<T>(c: Cond, item: T): T | undefined {
    if (c.helm === 'true') return c.literal || this.helm ? item : undefined;
    if (this.helm) return { [`@@if ${c.helm}`]: item } as T;
    return c.literal ? item : undefined;
  }
  /** A map from [key, value, condition?] entries. */
  map<V>(entries: ([string, V] | [string, V, Cond])[]): Record<string, V> {
    const out: Record<string, V> = {};
    for (const [key, value, c] of entries) {
      if (!c || c.helm === 'true') {
        if (!c || c.literal || this.helm) out[key] = value;
      } else if (this.helm) out[`@@if ${c.helm}@@${key}`] = value;
      else if (c.literal) out[key] = value;
    }
    return out;
  }
  /** `map` plus the entries of a map setting (extra labels, annotations). */
  merged(map: Record<string, string>, ...gets: Get<Record<string, string>>[]): Record<string, string> {
    const out = { ...map };
    for (const get of gets) {
      const e = this.v(get);
      if (this.helm) out[`@@merge ${e.helm}`] = '';
      else Object.assign(out, e.literal);
    }
    return out;
  }
  /** Metadata annotations: the entries given (may be empty) plus commonAnnotations, or nothing. */
  annotations(map: Record<string, string> = {}, ...gets: Get<Record<string, string>>[]): { annotations?: Record<string, string> } {
    const all = [(v: Values) => v.commonAnnotations, ...gets];
    if (Object.keys(map).length > 0) {
      const merged = this.merged(map, ...all);
      return Object.keys(merged).length > 0 ? { annotations: merged } : {};
    }
    if (!this.helm) {
      const merged = this.merged({}, ...all);
      return Object.keys(merged).length > 0 ? { annotations: merged } : {};
    }
    // Only settings: the key is there when one of them is not empty.
    const exprs = all.map((g) => this.v(g).helm);
    const pipeline = exprs.length === 1 ? `toYaml ${exprs[0]}` : `toYaml (merge (dict) ${exprs.join(' ')})`;
    const cond = exprs.length === 1 ? exprs[0] : `(or ${exprs.join(' ')})`;
    return { [`@@if ${cond}@@annotations`]: `@@yaml ${pipeline}` } as { annotations?: Record<string, string> };
  }

  /** Constructs built in `build` exist only when `c` holds (helm: their templates get {{- if }}). */
  optional(c: Cond, scope: Construct, id: string, build: (scope: Construct) => void): void {
    const group = new Construct(scope, id);
    if (this.helm) {
      this.conds.set(group, c);
      build(group);
    } else if (c.literal) {
      build(group);
    }
  }
  /** The condition of a construct: every `optional` scope above it, joined with `and`. */
  conditionOf(construct: Construct): Cond {
    const cs = construct.node.scopes.map((s) => this.conds.get(s)).filter((c): c is Cond => c !== undefined);
    return this.and(...cs);
  }

  // --- names, labels, images ------------------------------------------------------------------------

  get fullname(): Expr<string> {
    const v = this.values;
    let literal: string;
    if (v.fullnameOverride) literal = trunc63(v.fullnameOverride);
    else {
      const name = v.nameOverride || CHART.name;
      literal = trunc63(this.release.name.includes(name) ? this.release.name : `${this.release.name}-${name}`);
    }
    return { helm: 'include "gambit.fullname" .', literal };
  }
  /** The name of a component's objects: <fullname>-<component>. */
  name(component: string): Expr<string> {
    return { helm: `include "gambit.component" (list . ${JSON.stringify(component)})`, literal: trunc63(`${this.fullname.literal}-${component}`) };
  }
  get chartName(): Expr<string> {
    return { helm: 'include "gambit.name" .', literal: trunc63(this.values.nameOverride || CHART.name) };
  }
  get releaseName(): Expr<string> {
    return { helm: '.Release.Name', literal: this.release.name };
  }
  get namespace(): Expr<string> {
    return { helm: '.Release.Namespace', literal: this.release.namespace };
  }
  selector(component: string): Record<string, string> {
    return {
      'app.kubernetes.io/name': this.s(this.chartName),
      'app.kubernetes.io/instance': this.s(this.releaseName),
      'app.kubernetes.io/component': component,
    };
  }
  /** Selects every pod of this release (default-deny NetworkPolicy). */
  releaseSelector(): Record<string, string> {
    return { 'app.kubernetes.io/name': this.s(this.chartName), 'app.kubernetes.io/instance': this.s(this.releaseName) };
  }
  labels(component: string): Record<string, string> {
    return this.merged(
      {
        'helm.sh/chart': this.s({ helm: 'include "gambit.chart" .', literal: `${CHART.name}-${CHART.version}` }),
        ...this.selector(component),
        'app.kubernetes.io/version': this.s({ helm: '.Chart.AppVersion', literal: CHART.appVersion }),
        'app.kubernetes.io/managed-by': this.s({ helm: '.Release.Service', literal: this.release.service ?? 'cdk8s' }),
        'app.kubernetes.io/part-of': 'gambit',
      },
      (v) => v.commonLabels,
    );
  }
  /** The image reference of a component: registry/repository:tag[@digest]. */
  image(get: (v: Values) => ImageSpec): string {
    const e = this.v(get);
    const img = e.literal;
    const registry = img.registry || this.values.image.registry;
    const tag = img.tag || this.values.image.tag || CHART.appVersion;
    const literal = `${registry ? registry + '/' : ''}${img.repository}:${tag}${img.digest ? '@' + img.digest : ''}`;
    return this.s({ helm: `include "gambit.image" (list . ${e.helm})`, literal });
  }
  pullPolicy(get: (v: Values) => ImageSpec): string {
    const e = this.v(get);
    return this.s({ helm: `include "gambit.pullPolicy" (list . ${e.helm})`, literal: e.literal.pullPolicy || this.values.image.pullPolicy });
  }
}

export interface ImageSpec {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  pullPolicy: string;
}

/** Drops the items `Binding.item` left out. */
export const present = <T>(items: (T | undefined)[]): T[] => items.filter((i): i is T => i !== undefined);
