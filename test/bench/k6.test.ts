// The k6 scripts cannot run here (no k6 binary): they are type-checked against @types/k6 instead,
// and must read the same seeded games as the Node harness and keep the floors as thresholds.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const dir = fileURLToPath(new URL('../../loadtest/k6/', import.meta.url));

describe('k6 scripts', () => {
  it('type-check against @types/k6', () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(resolve(dir, 'tsconfig.json'), {}, {
      ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
    })!;
    expect(parsed.fileNames.map((f) => f.split('/').pop()).sort()).toEqual(['idle.ts', 'lib.ts', 'moves.ts']);
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
  });

  it('open the harness game set and keep the floors as thresholds', () => {
    const lib = readFileSync(resolve(dir, 'lib.ts'), 'utf8');
    const games = /open\('([^']+)'\)/.exec(lib)?.[1];
    expect(games).toBe('../../bench/data/games.json');
    // k6 resolves open() against the script's folder.
    expect(existsSync(resolve(dirname(resolve(dir, 'lib.ts')), games!))).toBe(true);
    const moves = readFileSync(resolve(dir, 'moves.ts'), 'utf8');
    expect(moves).toContain("num('P50_MS', 2)");
    expect(moves).toContain("num('P99_MS', 40)");
    expect(moves).toContain("game_errors: ['count==0']");
  });
});
