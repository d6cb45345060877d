// Shared by the tests of the CloudFormation templates of infra/aws: the parsed template, its resources
// by type, the names its references use, and cfn-lint over many files in one run (each run costs
// seconds of Python start-up, so the tests lint all their files, broken copies too, at once).
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

/**
 * Every name a Ref, a Fn::GetAtt (its resource) or a Fn::Sub variable (`${Name}`, `${Name.Attr}`;
 * not `${!Literal}` nor the Sub's own variables) uses, in Resources, Outputs, Conditions and Rules,
 * once per use.
 */
export function references(c: Cfn): string[] {
  const names: string[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (!x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x)) {
      if (k === 'Ref') names.push(v as string);
      else if (k === 'Fn::GetAtt') names.push(typeof v === 'string' ? v.split('.')[0]! : (v as string[])[0]!);
      else if (k === 'Fn::Sub') {
        const [text, own] = typeof v === 'string' ? [v, {}] : (v as [string, Record<string, unknown>]);
        names.push(...[...text.matchAll(/\$\{(?!!)([^}.]+)/g)].map((m) => m[1]!).filter((n) => !(n in own)));
      }
      walk(v);
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
  return [
    ...references(c).filter((n) => !known.has(n)),
    ...Object.values(c.Resources).flatMap((r) => (r.Condition !== undefined && !conditions.has(r.Condition) ? [r.Condition] : [])),
  ];
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
