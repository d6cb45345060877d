// What a Redis restart loses with each persistence setting (`make chaos-redis-persistence`): the
// chaos scenario's games, redis-server SIGKILLed mid-game and restarted in the same folder with the
// same setting, then what the players saw, what DynamoDB holds, and whether the services came back
// without a restart (a new game played start to record on the same processes). A measurement, not a
// test: only a broken harness fails it. `make test`'s redis-restart scenario (chaos.test.ts) is the
// test that `appendfsync always` loses nothing. PERSISTENCE=aof-everysec,none picks settings,
// CHAOS_GAMES the load; the table goes to artifacts/chaos-redis-persistence.md and the console.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcessStack, type ProcessStack, type ServiceName } from '../support/processes.js';
import type { Persistence } from '../support/redis.js';
import { CHAOS_ENV, probeGame, runScenario, type Report } from './run.js';
import { persistenceNames, redisRestartWith } from './faults.js';

const GAMES = Number(process.env.CHAOS_GAMES ?? 200);
const SETTINGS = (process.env.PERSISTENCE?.split(',') ?? ['aof-always', 'aof-everysec', 'rdb', 'none']) as Persistence[];
const OUT = process.env.PERSISTENCE_OUT ?? 'artifacts/chaos-redis-persistence.md';

interface Row { setting: Persistence; report?: Report; probe: string; processes: string; nogroup: string; error?: string }
const rows: Row[] = [];

function formatPersistence(list: Row[]): string {
  const head = ['setting', 'games', 'records', 'no record', 'moves Redis lost (plies in rooms before kill − after restart)', 'confirmed moves missing from records', 'duplicate records', 'dead-lettered', 'stats wrong', 'stats missing',
    'never ended', 'games told room_not_found', 'player reloads (stale_ply)', 'rooms (active) before kill', 'after restart', 'plies in rooms before / after', 'keys before / after', 'groups after restart', 'groups back (ms)', 'gateways registered after restart', 'all gateways back (ms)',
    'errors players saw', 'new game at once', 'new game after', 'processes', 'NOGROUP read errors logged'];
  const body = list.map((r) => {
    const x = r.report;
    const n = x?.notes ?? {};
    if (!x) return [persistenceNames[r.setting], String(GAMES), `harness failed: ${r.error ?? '?'}`, ...head.slice(3).map(() => '')];
    return [persistenceNames[r.setting], x.games, x.records, x.noRecord, Number(n.pliesBefore) - Number(n.pliesAfter), `${x.confirmedMovesLost} of ${x.movesConfirmed + x.confirmedMovesLost}`, x.duplicateRecords, x.deadLettered,
      x.statsWrong, x.statsMissing, x.neverEnded, x.roomNotFoundGames, x.reloads, `${n.roomsBefore} (${n.activeBefore})`, `${n.roomsAfter} (${n.activeAfter})`, `${n.pliesBefore} / ${n.pliesAfter}`, `${n.keysBefore} / ${n.keysAfter}`, n.groupsAfterRestart,
      n.groupsBackAfterMs, n.gatewaysAfterRestart, n.gatewaysBackAfterMs, x.errorCodes, n.newGameAtRestart, r.probe, r.processes, r.nogroup].map(String);
  });
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

afterAll(() => {
  if (!rows.length) return;
  const table = formatPersistence(rows);
  const header = `Redis restart by persistence setting: ${GAMES} games each, SIGKILL mid-game, restart after 2 s ` +
    `(${new Date().toISOString()}, ${cpus().length} cores, \`make chaos-redis-persistence\`)`;
  mkdirSync(join(OUT, '..'), { recursive: true });
  writeFileSync(OUT, `${header}\n\n${table}\n`);
  console.log(`${header}\n${table}`);
});

describe(`a Redis restart under ${GAMES} games, by persistence setting`, () => {
  test.each(SETTINGS)('%s', async (setting) => {
    const dir = mkdtempSync(join(tmpdir(), 'gambit-persist-'));
    let stack: ProcessStack | undefined;
    const row: Row = { setting, probe: '', processes: '', nogroup: '' };
    rows.push(row);
    try {
      stack = await startProcessStack({
        logLevel: 'warn', redisAof: dir,
        env: CHAOS_ENV,
      });
      await stack.redis.setPersistence(setting);
      await stack.start('game-engine');
      await stack.start('gateway');
      const fault = redisRestartWith(setting);
      row.report = await runScenario(stack, fault, { games: GAMES, plies: 24, faultAfterMs: 2_500, measure: { stallMs: 20_000 } });
      // A new game on the same processes; if it fails, once more after a gateway heartbeat (5 s).
      const since = () => `${((Date.now() - Number(fault.notes!.restartedAt)) / 1000).toFixed(1)} s after the restart`;
      let at = since();
      row.probe = `${at}: ${await probeGame(stack)}`;
      if (row.probe.includes('failed')) {
        await new Promise((r) => setTimeout(r, 6_000));
        at = since();
        row.probe += `; again ${at}: ${await probeGame(stack)}`;
      }
      const dead = stack.procs.filter((p) => p.child.exitCode !== null || p.child.signalCode !== null);
      row.processes = dead.length ? `exited: ${dead.map((p) => `${p.name} (${p.child.exitCode ?? p.child.signalCode}): ${p.lines.at(-1) ?? ''}`).join('; ')}` : 'all up, none restarted';
      const nogroup = (name: ServiceName) => stack!.logs(name).filter((l) => String(l.err ?? '').includes('NOGROUP')).length;
      row.nogroup = `engines ${nogroup('game-engine')}, finalizer ${nogroup('finalizer')}`;
    } catch (err) {
      row.error = (err as Error).message.slice(0, 300);
      throw err;
    } finally {
      await stack?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(row.report).toBeDefined();
  }, 600_000);
});
