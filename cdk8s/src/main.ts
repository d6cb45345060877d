// The cdk8s app's command line (node cdk8s/run.mjs ...):
//   chart [--out DIR]         write the Helm chart (default charts/gambit)            (make chart)
//   check [--out DIR]         exit 1 when the committed chart differs from a fresh one (make chart-check)
//   synth [-f values.yaml]... [--release NAME] [--namespace NS] [--out DIR]
//                             plain manifests for the given values (no Helm needed)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { toYaml } from './emit.js';
import { build, generatedChart } from './helm.js';
import { readInputs, repoRoot } from './inputs.js';
import { mergeValues } from './profiles.js';
import { defaultValues } from './values.js';
import { parseYaml } from './yaml.js';

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [command = 'chart', ...args] = argv;
  const out = arg(args, '--out') ?? join(repoRoot, command === 'synth' ? 'cdk8s/dist' : 'charts/gambit');
  if (command === 'chart' || command === 'check') {
    const files = await generatedChart();
    const existing = listFiles(out).map((f) => relative(out, f));
    const problems: string[] = [];
    for (const f of existing) if (!(f in files)) problems.push(`extra file: ${f}`);
    for (const [f, text] of Object.entries(files)) {
      const path = join(out, f);
      if (!existsSync(path)) problems.push(`missing: ${f}`);
      else if (readFileSync(path, 'utf8') !== text) problems.push(`differs: ${f}`);
    }
    if (command === 'check') {
      if (problems.length === 0) {
        console.log(`${relative(process.cwd(), out) || out}: up to date with cdk8s/ (${Object.keys(files).length} files)`);
        return 0;
      }
      console.error(`${out} is not what cdk8s/ generates; run \`make chart\` and commit the result:\n  ${problems.join('\n  ')}`);
      return 1;
    }
    rmSync(out, { recursive: true, force: true });
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(dirname(join(out, f)), { recursive: true });
      writeFileSync(join(out, f), text);
    }
    console.log(`wrote ${Object.keys(files).length} files to ${relative(process.cwd(), out) || out}${problems.length ? ` (${problems.length} changed)` : ' (no change)'}`);
    return 0;
  }
  if (command === 'synth') {
    const overrides: unknown[] = [];
    for (let i = 0; i < args.length; i++) if (args[i] === '-f' || args[i] === '--values') overrides.push(parseYaml(readFileSync(args[++i]!, 'utf8')));
    const values = mergeValues(defaultValues(), ...overrides);
    const release = { name: arg(args, '--release') ?? 'gambit', namespace: arg(args, '--namespace') ?? 'gambit' };
    const { chart } = build('literal', await readInputs(), values, release);
    mkdirSync(out, { recursive: true });
    const docs = chart.toJson().map((o) => `---\n${toYaml(o)}`).join('');
    writeFileSync(join(out, 'gambit.k8s.yaml'), docs);
    console.log(`wrote ${chart.toJson().length} objects to ${join(relative(process.cwd(), out), 'gambit.k8s.yaml')}`);
    return 0;
  }
  console.error(`unknown command ${command}: chart | check | synth`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
