// Shared by the tests of the CloudFormation templates of infra/aws: the parsed template, its resources
// by type, the names its references use, what a stack would create for some parameter values (the
// Fn::ForEach loops of the AWS::LanguageExtensions transform unrolled, the Conditions decided), and
// cfn-lint over many files in one run (each run costs seconds of Python start-up, so the tests lint
// all their files, broken copies too, at once).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseYaml } from '../../cdk8s/src/yaml.js';
import { root } from './support.js';

export type Res = { Type: string; Condition?: string; DependsOn?: string | string[]; DeletionPolicy?: string; Metadata?: unknown; Properties: Record<string, unknown> };
export type Param = {
  Type: string; Default?: string | number; AllowedPattern?: string; AllowedValues?: (string | number)[]; MinValue?: number; MaxValue?: number; NoEcho?: boolean;
};
export type Cfn = {
  Transform?: string | string[];
  Parameters: Record<string, Param>;
  Conditions?: Record<string, unknown>;
  Rules?: Record<string, { RuleCondition?: unknown; Assertions: { Assert: unknown }[] }>;
  Resources: Record<string, Res>;
  Outputs: Record<string, { Value: unknown; Condition?: string }>;
};

/** A template of the repository (path relative to its root). */
export const template = (relPath: string) => parseYaml(readFileSync(join(root, relPath), 'utf8')) as Cfn;

/** The resources of a type, as [logical id, resource], in the template's order. */
export const ofType = (c: Cfn, type: string) => Object.entries(c.Resources).filter(([, r]) => r.Type === type);

/** What a template may refer to besides its parameters and resources. */
const PSEUDO = ['AWS::Region', 'AWS::AccountId', 'AWS::StackName', 'AWS::Partition', 'AWS::NoValue', 'AWS::URLSuffix'];

/** A `Fn::ForEach::Name` entry (AWS::LanguageExtensions): its identifier, collection and fragment. */
type ForEach = [identifier: string, collection: unknown, fragment: Record<string, unknown>];
const FOR_EACH = 'Fn::ForEach::';

/**
 * Every name a Ref, a Fn::GetAtt (its resource) or a Fn::Sub variable (`${Name}`, `${Name.Attr}`;
 * not `${!Literal}` nor the Sub's own variables, nor the identifier of an enclosing Fn::ForEach)
 * uses, in Resources, Outputs, Conditions and Rules, once per use.
 */
export function references(c: Cfn): string[] {
  const names: string[] = [];
  const walk = (x: unknown, loops: string[] = []): void => {
    if (Array.isArray(x)) return x.forEach((y) => walk(y, loops));
    if (!x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x)) {
      if (k.startsWith(FOR_EACH)) {
        const [identifier, collection, fragment] = v as ForEach;
        walk(collection, loops);
        walk(fragment, [...loops, identifier]);
        continue;
      }
      if (k === 'Ref') names.push(v as string);
      else if (k === 'Fn::GetAtt') names.push(typeof v === 'string' ? v.split('.')[0]! : (v as string[])[0]!);
      else if (k === 'Fn::Sub') {
        const [text, own] = typeof v === 'string' ? [v, {}] : (v as [string, Record<string, unknown>]);
        names.push(...[...text.matchAll(/\$\{(?!!)([^}.]+)/g)].map((m) => m[1]!).filter((n) => !(n in own) && !loops.includes(n)));
      }
      walk(v, loops);
    }
  };
  for (const part of [c.Resources, c.Outputs, c.Conditions, c.Rules]) walk(part ?? {});
  return names;
}

/**
 * The references naming no parameter, resource or pseudo parameter, and the resources' Conditions
 * naming no condition of the template: [] when every one resolves (or when there are none: the
 * tests check references(c) is not empty).
 */
export function danglingReferences(c: Cfn): string[] {
  const known = new Set([...Object.keys(c.Parameters ?? {}), ...Object.keys(c.Resources), ...PSEUDO]);
  const conditions = new Set(Object.keys(c.Conditions ?? {}));
  // the resources, those a loop writes too (their Conditions name the template's)
  const resources = (section: Record<string, unknown>): Res[] => Object.entries(section).flatMap(([k, v]) =>
    (k.startsWith(FOR_EACH) ? resources((v as ForEach)[2]) : [v as Res]));
  return [
    ...references(c).filter((n) => !known.has(n)),
    ...resources(c.Resources).flatMap((r) => (r.Condition !== undefined && !conditions.has(r.Condition) ? [r.Condition] : [])),
  ];
}

/**
 * The template as the AWS::LanguageExtensions transform hands it on, for these parameter values
 * (the others at their defaults): each Fn::ForEach of Resources, Conditions and Outputs replaced by
 * its fragment once per item of its collection (a list, or a Ref to a CommaDelimitedList, split on
 * commas: "" is one empty item, as CloudFormation reads it), `${Identifier}` in keys and strings
 * replaced by the item, `&{Identifier}` by its letters and digits.
 */
export function unrolled(c: Cfn, values: Record<string, string> = {}): Cfn {
  const items = (collection: unknown): string[] => {
    if (Array.isArray(collection)) return collection.map(String);
    const name = (collection as { Ref: string }).Ref;
    return (values[name] ?? String(c.Parameters[name]?.Default ?? '')).split(',');
  };
  const put = (x: unknown, identifier: string, item: string): unknown => {
    const text = (s: string) => s.replaceAll(`\${${identifier}}`, item).replaceAll(`&{${identifier}}`, item.replace(/[^A-Za-z0-9]/g, ''));
    if (typeof x === 'string') return text(x);
    if (Array.isArray(x)) return x.map((y) => put(y, identifier, item));
    if (!x || typeof x !== 'object') return x;
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [text(k), put(v, identifier, item)]));
  };
  const section = <T>(s: Record<string, T> | undefined): Record<string, T> | undefined => s && Object.fromEntries(Object.entries(s).flatMap(([k, v]) => {
    if (!k.startsWith(FOR_EACH)) return [[k, v]];
    const [identifier, collection, fragment] = v as unknown as ForEach;
    return items(collection).flatMap((item) => Object.entries(section(put(fragment, identifier, item) as Record<string, T>)!));
  }));
  return { ...c, Resources: section(c.Resources)!, Conditions: section(c.Conditions), Outputs: section(c.Outputs)! };
}

/**
 * What a stack would create for these parameter values: the resources of `unrolled` whose Condition
 * holds. Conditions are decided with Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition, Ref to a
 * parameter (a CommaDelimitedList as its list) and Fn::Join, which is what the templates use.
 */
export function created(c: Cfn, values: Record<string, string> = {}): Record<string, Res> {
  const u = unrolled(c, values);
  const param = (name: string): unknown => {
    const p = u.Parameters[name];
    if (!p) throw new Error(`no parameter ${name}`);
    const value = values[name] ?? String(p.Default ?? '');
    return p.Type === 'CommaDelimitedList' ? value.split(',') : value;
  };
  const value = (x: unknown): unknown => {
    if (typeof x !== 'object' || x === null) return x;
    if (Array.isArray(x)) return x.map(value);
    const [[fn, arg]] = Object.entries(x) as [[string, unknown]];
    const args = arg as unknown[];
    switch (fn) {
      case 'Ref': return param(arg as string);
      case 'Condition': return holds(arg as string);
      case 'Fn::Join': return (value(args[1]) as unknown[]).map(String).join(args[0] as string);
      case 'Fn::Equals': return String(value(args[0])) === String(value(args[1]));
      case 'Fn::Not': return !value(args[0]);
      case 'Fn::And': return args.every((a) => value(a) === true);
      case 'Fn::Or': return args.some((a) => value(a) === true);
      default: throw new Error(`created() cannot decide ${fn}`);
    }
  };
  const holds = (name: string): boolean => {
    if (!u.Conditions || !(name in u.Conditions)) throw new Error(`no condition ${name}`);
    return value(u.Conditions[name]) === true;
  };
  return Object.fromEntries(Object.entries(u.Resources).filter(([, r]) => r.Condition === undefined || holds(r.Condition)));
}

// cfn-lint (the CloudFormation linter, Python) is no dependency of the repository: the tests run it
// where it is installed (pip install cfn-lint) and are skipped, saying so, elsewhere.
export const cfnLintInstalled = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * One cfn-lint run over all the files: for each file (as given), the lines of its errors (rules E*),
 * `path:line:col:line:col:RULE:message`; [] for a clean one. cfn-lint's exit status is a bit mask of
 * what it found (2 errors, 4 warnings, 8 informational; with `--non-zero-exit-code error` only 2) and
 * 1 its own failure (bad arguments or configuration): anything but 0 or 2, an error it reports for no
 * file given (a missing file), or a status that disagrees with the lines throws, so a linter that did
 * not run never reads as "no errors".
 */
export function cfnLintErrors(files: string[]): Map<string, string[]> {
  if (files.length === 0) return new Map(); // cfn-lint given no file would lint its standard input
  const r = spawnSync('cfn-lint', ['--format', 'parseable', '--non-zero-exit-code', 'error', '--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  const failed = (why: string) => new Error(`cfn-lint ${why} (status ${r.status ?? r.signal})\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  if (r.status !== 0 && r.status !== 2) throw failed('failed');
  const errors = new Map(files.map((f) => [f, [] as string[]]));
  for (const line of r.stdout.split('\n').filter((l) => l.trim())) {
    // the longest file name the line starts with: a file's name may be the start of another's
    const file = files.filter((f) => line.startsWith(`${f}:`)).sort((a, b) => b.length - a.length)[0];
    if (!file) {
      if (/:\d+:\d+:\d+:\d+:E\d+:/.test(line)) throw failed(`reported an error for no file given: ${line}`);
      continue;
    }
    if (/^\d+:\d+:\d+:\d+:E\d+:/.test(line.slice(file.length + 1))) errors.get(file)!.push(line);
  }
  if ([...errors.values()].some((e) => e.length > 0) !== (r.status === 2)) throw failed('exited with a status its output disagrees with');
  return errors;
}

/** One mistake in a template: the file, the text to change, its broken form, the rule of its error, the bad value the error names. */
export type Mistake = readonly [file: string, from: string, to: string, rule: string, bad: string];

/** Writes each mistake's broken copy of its template into `dir`, each under its own name; returns their paths in order. */
export function writeBrokenCopies(dir: string, mistakes: readonly Mistake[]): string[] {
  return mistakes.map(([f, from, to], i) => {
    const copy = join(dir, `${i}-${basename(f)}`);
    writeFileSync(copy, readFileSync(join(root, f), 'utf8').replace(from, to));
    return copy;
  });
}

/**
 * What to look for in a broken copy's errors (`cfnLintErrors`): the template's text, the copy's
 * errors without its path, and the error its mistake must give (its rule, on the line changed,
 * naming the bad value).
 */
export function mistakeError([f, from, , rule, bad]: Mistake, copy: string, errors: Map<string, string[]>): { source: string; found: string[]; pattern: RegExp } {
  const source = readFileSync(join(root, f), 'utf8');
  const line = source.slice(0, source.indexOf(from)).split('\n').length;
  const found = (errors.get(copy) ?? []).map((e) => e.slice(copy.length + 1));
  return { source, found, pattern: new RegExp(`^${line}:\\d+:\\d+:\\d+:${rule}:.*\\b${bad}\\b`) };
}
