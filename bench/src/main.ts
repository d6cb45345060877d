// `make bench`: Gambit and the Colyseus peer (one process, and scaled: processes sharing a Redis)
// under the same workload on this machine, one after the other; prints a summary, writes
// bench/results/run-<time>.{json,svg,md} and latest.*.
// Knobs (environment): BENCH_QUICK=1 (a short run), BENCH_TARGETS=gambit,gambit-replicated,flow,colyseus,colyseus-scaled (flow: bench/peers/flow), BENCH_SCALED_PROCESSES=2,
// BENCH_SCENARIOS=ladder,search,idle,finalizer,pairing,capacity, BENCH_PAIRING_PLAYERS, BENCH_PAIRING_S, BENCH_WORKERS, BENCH_LADDER=100,500,1000,2000,
// BENCH_LADDER_RATE=500, BENCH_SEARCH_GAMES, BENCH_SEARCH_START, BENCH_SEARCH_BOUND_MS, BENCH_IDLE,
// BENCH_WINDOW_S, BENCH_WARMUP_S, BENCH_FIRST_WARMUP_S, BENCH_LADDER_REPEAT, BENCH_PROFILE=1 (V8 CPU profiles of every service), BENCH_MAX_S,
// BENCH_SERVER_NODE_OPTIONS (Node flags for the gateway and the peer, e.g. --max-semi-space-size=1).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { killAll, repoRoot } from './stack.js';
import { pairing, type PairingResult } from './pairing.js';
import { capacityProbe, capacitySummary, type CapacityProbe } from './capacity-probe.js';
import { summarizeProfile, type ProfileSummary } from './profile.js';
import { lineChart, type Series } from './svg.js';
import {
  fdLimit, finalizer, idle, ladder, medianRow, round, search, type BenchConfig, type FinalizerResult, type IdleResult, type LoadRow, type SearchResult, type TargetKind,
} from './scenarios.js';

const env = process.env;
const quick = env.BENCH_QUICK === '1';
const list = (v: string | undefined, d: string) => (v ?? d).split(',').map((s) => s.trim()).filter(Boolean);
const num = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));

const root = repoRoot();
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const outDir = join(root, 'bench/results');
mkdirSync(outDir, { recursive: true });

const cfg: BenchConfig = {
  quick,
  workers: num(env.BENCH_WORKERS, 2),
  warmupS: num(env.BENCH_WARMUP_S, quick ? 2 : 3),
  firstWarmupS: num(env.BENCH_FIRST_WARMUP_S, quick ? 8 : 20),
  windowS: num(env.BENCH_WINDOW_S, quick ? 5 : 10),
  ladder: list(env.BENCH_LADDER, quick ? '100,500' : '100,500,1000,2000').map(Number),
  ladderRate: num(env.BENCH_LADDER_RATE, 500),
  ladderRepeat: num(env.BENCH_LADDER_REPEAT, quick ? 1 : 3),
  searchGames: num(env.BENCH_SEARCH_GAMES, quick ? 300 : 1000),
  searchStart: num(env.BENCH_SEARCH_START, 1000),
  searchBoundMs: num(env.BENCH_SEARCH_BOUND_MS, 100),
  searchMaxSteps: num(env.BENCH_SEARCH_STEPS, quick ? 3 : 7),
  idleConnections: num(env.BENCH_IDLE, quick ? 2000 : 20_000),
  idleHoldS: num(env.BENCH_IDLE_HOLD_S, quick ? 6 : 12),
  heartbeatMs: num(env.BENCH_HEARTBEAT_MS, 5000),
  finalizerPairs: num(env.BENCH_FINALIZER_PAIRS, quick ? 50 : 100),
  finalizerPhaseS: num(env.BENCH_FINALIZER_S, quick ? 4 : 8),
  localAddresses: list(env.BENCH_LOCAL_ADDRESSES, '127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4'),
  scaledProcesses: num(env.BENCH_SCALED_PROCESSES, 2),
  ...(env.BENCH_PROFILE === '1' ? { profileDir: join(outDir, `profiles-${stamp}`) } : {}),
  log: (line) => console.log(line),
};
const known: TargetKind[] = ['gambit', 'gambit-replicated', 'flow', 'colyseus', 'colyseus-scaled'];
const targets = list(env.BENCH_TARGETS, known.join(',')) as TargetKind[];
for (const t of targets) {
  if (!known.includes(t)) throw new Error(`BENCH_TARGETS: unknown target ${t} (known: ${known.join(', ')})`);
}
const scenarios = new Set(list(env.BENCH_SCENARIOS, 'ladder,search,idle,finalizer,pairing,capacity'));
// Budgets: four targets (Gambit, Gambit replicated, Colyseus in one process, Colyseus scaled); ~21 min and ~6 min when all goes well.
const maxS = num(env.BENCH_MAX_S, quick ? 600 : 1800);

// Bounded: whatever happens, the run stops (children are killed with their process group).
const deadline = setTimeout(() => {
  console.error(`bench: over the ${maxS} s budget, stopping`);
  killAll(); // load workers exit on their own when this process (their IPC parent) is gone
  process.exit(2);
}, maxS * 1000);
deadline.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

interface TargetResults { ladder?: LoadRow[]; search?: SearchResult; idle?: IdleResult; finalizer?: FinalizerResult; pairing?: PairingResult; capacity?: CapacityProbe; profiles?: Record<string, ProfileSummary> }

const meta = {
  started: new Date().toISOString(),
  command: env.BENCH_COMMAND ?? (quick ? 'BENCH_QUICK=1 make bench' : 'make bench'),
  machine: { host: hostname(), cpu: cpus()[0]?.model ?? '?', cores: cpus().length, memGiB: round(totalmem() / 2 ** 30, 1), kernel: release() },
  node: process.version,
  redis: sh('redis-server', ['--version']).replace(/^Redis server v=/, '').split(' ')[0] ?? '',
  commit: sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
  dirty: sh('git', ['-C', root, 'status', '--porcelain', '--', 'services', 'packages']).length > 0,
  loadBefore: loadavg().map((v) => round(v, 2)),
  loadAfter: [] as number[],
  fdLimit: fdLimit(),
  config: { ...cfg, log: undefined, serverNodeOptions: env.BENCH_SERVER_NODE_OPTIONS ?? '' },
  seconds: 0,
};

const t0 = performance.now();
const results: Record<string, TargetResults> = {};
console.log(`bench: ${targets.join(' vs ')}; ${[...scenarios].join(', ')}; ${cfg.workers} load workers; load average ${meta.loadBefore.join(' ')}; ${meta.machine.cores} x ${meta.machine.cpu}`);
for (const t of targets) {
  const r: TargetResults = {};
  results[t] = r;
  if (scenarios.has('ladder')) {
    console.log(`${t}: ladder of concurrent games at ${cfg.ladderRate} moves/s`);
    r.ladder = await ladder(t, cfg);
  }
  if (scenarios.has('search')) {
    console.log(`${t}: highest sustained moves/s with p99 <= ${cfg.searchBoundMs} ms (${cfg.searchGames} games)`);
    r.search = await search(t, cfg);
  }
  // The replicated commit changes what a move costs, not what an idle socket does (the flow peer has no idle sockets of note).
  if (scenarios.has('idle') && t !== 'gambit-replicated' && t !== 'flow') {
    console.log(`${t}: idle authenticated connections`);
    r.idle = await idle(t, cfg);
  }
  if (scenarios.has('finalizer') && t === 'gambit') {
    console.log(`${t}: finalizer throughput and lag`);
    r.finalizer = await finalizer(cfg);
  }
  if (scenarios.has('pairing') && t === 'gambit') {
    console.log(`${t}: quick-pairing latency`);
    r.pairing = await pairing({
      players: num(env.BENCH_PAIRING_PLAYERS, quick ? 200 : 1000), seconds: num(env.BENCH_PAIRING_S, quick ? 10 : 30),
      localAddresses: cfg.localAddresses, log: cfg.log,
    });
  }
  if (scenarios.has('capacity') && t === 'gambit') {
    // The inputs of `make capacity` the other scenarios lack (capacity-probe.ts): two engines, Redis and DynamoDB bytes, replay CPU.
    console.log(`${t}: capacity inputs (two engines, Redis memory census, DynamoDB item sizes, replay cost)`);
    r.capacity = await capacityProbe(cfg);
  }
}
meta.loadAfter = loadavg().map((v) => round(v, 2));
meta.seconds = round((performance.now() - t0) / 1000, 0);

// CPU profiles (BENCH_PROFILE=1): one file per service process per stack; merged by service name.
if (cfg.profileDir) {
  const by: Record<string, ProfileSummary> = {};
  for (const f of readdirSync(cfg.profileDir).filter((n) => n.endsWith('.cpuprofile')).sort()) {
    const name = f.split('.')[0]!;
    const s = summarizeProfile(join(cfg.profileDir, f));
    if (!by[name] || s.totalMs * s.busyPct > by[name].totalMs * by[name].busyPct) by[name] = s;
  }
  for (const t of targets) {
    const r = results[t]!;
    const mine = (k: string) => (t === 'flow' ? k.startsWith('flow-') : t.startsWith('gambit') ? !k.startsWith('colyseus') && !k.startsWith('flow-') : t === 'colyseus' ? k === 'colyseus' : /^colyseus\d+$/.test(k));
    r.profiles = Object.fromEntries(Object.entries(by).filter(([k]) => mine(k)));
  }
}

// Ratios (ours / peer), against each Colyseus setup measured, and floors.
const g = results.gambit;
const c = results.colyseus;
const cs = results['colyseus-scaled'];
const peerLabel: Record<string, string> = {
  colyseus: 'Colyseus, one process',
  'colyseus-scaled': `Colyseus scaled, ${Math.max(2, cfg.scaledProcesses)} processes + Redis`,
};
const ratios: Record<string, unknown>[] = [];
const rungs = [...new Set((g?.ladder ?? []).map((r) => r.games))];
for (const [peerName, p] of [['colyseus', c], ['colyseus-scaled', cs]] as const) {
  if (!p) continue;
  for (const games of rungs) {
    const row = medianRow(g?.ladder, games)!;
    const peer = medianRow(p.ladder, games);
    if (!peer) continue;
    const p99s = (rows: LoadRow[] | undefined) => (rows ?? []).filter((r) => r.games === games).map((r) => round(r.latency.p99, 1));
    ratios.push({
      vs: peerName,
      at: `${row.games} games, ${row.offered} moves/s offered${cfg.ladderRepeat > 1 ? ` (window with the median p99 of ${cfg.ladderRepeat}; p99s ${p99s(g?.ladder).join('/')} vs ${p99s(p.ladder).join('/')})` : ''}`,
      movesPerS: round(row.achieved / peer.achieved, 3), p50: round(row.latency.p50 / peer.latency.p50, 2), p99: round(row.latency.p99 / peer.latency.p99, 2),
      serverCpuPerMove: round(row.serverCpuUsPerMove / peer.serverCpuUsPerMove, 2),
    });
  }
  if (g?.search && p.search) ratios.push({ vs: peerName, at: `max sustained, p99 <= ${cfg.searchBoundMs} ms`, movesPerS: round(g.search.maxSustained / p.search.maxSustained, 3) });
  if (g?.idle && p.idle) ratios.push({ vs: peerName, at: 'idle connection', kibPerConnection: round(g.idle.kibPerConnection / p.idle.kibPerConnection, 2) });
}

interface Floor { floor: string; measured: string; met: boolean | null }
const floors: Floor[] = [];
const r500 = medianRow(g?.ladder, 500);
if (r500) {
  floors.push({
    floor: '500 games, ~500 moves/s: p50 <= 2 ms, p99 <= 40 ms, no errors',
    measured: `p50 ${round(r500.latency.p50, 2)} ms, p99 ${round(r500.latency.p99, 1)} ms, ${Object.values(r500.errors).reduce((a, b) => a + b, 0)} errors, ${round(r500.achieved, 0)} moves/s`,
    met: r500.latency.p50 <= 2 && r500.latency.p99 <= 40 && Object.keys(r500.errors).length === 0,
  });
}
if (g?.search) {
  floors.push({
    floor: `highest sustained rate with p99 <= ${cfg.searchBoundMs} ms >= 1000 moves/s (aim 2000)`,
    measured: `${round(g.search.maxSustained, 0)} moves/s (p99 <= 50 ms: ${g.search.maxSustained50 > 0 ? round(g.search.maxSustained50, 0) : 'no measured step'})`,
    met: g.search.maxSustained >= 1000,
  });
}
if (g?.pairing) {
  const p = g.pairing;
  floors.push({
    floor: `quick pairing, ${p.players} players cycling through the pools: click -> started p99 <= 2 s`,
    measured: `p50 ${round(p.latencyMs.p50, 0)} ms, p99 ${round(p.latencyMs.p99, 0)} ms over ${p.pairings} games (${p.timeouts} waits over 30 s)`,
    met: p.latencyMs.count > 0 && p.latencyMs.p99 <= 2000 && p.timeouts === 0,
  });
}
if (g?.idle) {
  const i = g.idle;
  const held = i.opened >= i.requested && i.droppedDuringHold === 0;
  floors.push({
    floor: 'one gateway holds 20,000 idle authenticated connections at <= 12 KiB of RSS each (aim 8)',
    measured: `${i.opened} of ${i.requested} held (${i.droppedDuringHold} dropped), ${round(i.kibPerConnection, 2)} KiB RSS each (${round(i.kibPerConnectionAfterGc, 2)} after a full GC)` +
      `${i.requested < Math.min(20_000, cfg.idleConnections) ? `; only ${i.requested} tried: this machine's hard limit of ${i.fdLimit} open files per process` : i.requested < 20_000 ? `; ${i.requested} tried (BENCH_IDLE)` : ''}`,
    // Memory is judged on RSS as measured (no forced GC); the count on what the machine allows.
    met: held && i.kibPerConnection <= 12 ? (i.requested >= 20_000 ? true : null) : false,
  });
}
if (r500 && c?.ladder) {
  const peer = medianRow(c.ladder, 500);
  if (peer) {
    const mr = r500.achieved / peer.achieved;
    const pr = r500.latency.p99 / peer.latency.p99;
    // Both run closed loops at the same offered rate: achieved = offered less (think + latency)
    // effects, so a ratio within 1 % of 1.0 counts as equal.
    floors.push({ floor: 'vs Colyseus (one process) at the same offered load (500 games): moves/s ratio >= 1.0 (within 1 %), p99 ratio <= 1.5', measured: `moves/s ${round(mr, 3)}, p99 ${round(pr, 2)}`, met: mr >= 0.99 && pr <= 1.5 });
  }
}
if (g?.search && cs?.search) {
  // Issue 16: Gambit's sustained rate at least that of Colyseus in its scaled setup.
  floors.push({
    floor: `highest sustained rate with p99 <= ${cfg.searchBoundMs} ms >= the scaled Colyseus setup's (${peerLabel['colyseus-scaled']})`,
    measured: `${round(g.search.maxSustained, 0)} vs ${round(cs.search.maxSustained, 0)} moves/s (ratio ${round(g.search.maxSustained / cs.search.maxSustained, 3)})`,
    met: g.search.maxSustained > 0 && g.search.maxSustained >= cs.search.maxSustained,
  });
}
if (g?.ladder && c?.ladder) {
  // Issue 16: server CPU per move (every process of the stack, Redis and the store included) at
  // most 1.5x single-process Colyseus's, at every rung of the ladder (each rung's median window).
  const per = rungs.map((games) => {
    const a = medianRow(g.ladder, games);
    const b = medianRow(c.ladder, games);
    return a && b ? { games, ours: a.serverCpuUsPerMove, peer: b.serverCpuUsPerMove, ratio: a.serverCpuUsPerMove / b.serverCpuUsPerMove } : null;
  }).filter((x): x is { games: number; ours: number; peer: number; ratio: number } => x !== null);
  if (per.length) {
    floors.push({
      floor: 'server CPU per move <= 1.5x single-process Colyseus, at every ladder rung',
      measured: per.map((x) => `${x.games} games ${round(x.ours, 0)} vs ${round(x.peer, 0)} us (${round(x.ratio, 2)}x)`).join('; '),
      met: per.every((x) => x.ratio <= 1.5),
    });
  }
}
const gr = results['gambit-replicated'];
const fl = results.flow;
const genRows = [g, gr, fl, c, cs].flatMap((t) => [...(t?.ladder ?? []), ...(t?.search?.steps ?? [])]);
if (genRows.length) {
  const worst = genRows.reduce((a, r) => (r.gen.eldP99 > a.gen.eldP99 ? r : a));
  // Judged where the machine had CPU to spare and was not crowded by others: there, every
  // process waits for a core and the generator's delay says nothing about the generator.
  const unsaturated = genRows.filter((r) => r.machine.busyPct < 180 && r.machine.otherPct < 25);
  const worstFree = unsaturated.length ? Math.max(...unsaturated.map((r) => r.gen.eldP99)) : NaN;
  const perWorker = Math.max(...genRows.map((r) => r.gen.cpuPct / r.gen.workers));
  floors.push({
    floor: 'the load generator is not the bottleneck (its CPU and event-loop delay reported)',
    measured: `at most ${round(perWorker, 0)}% of a core per worker (${cfg.workers} workers); event-loop delay p99 <= ${round(worstFree, 1)} ms while the machine had CPU to spare and few other users, ` +
      `${round(worst.gen.eldP99, 1)} ms at worst (${worst.target} ${worst.scenario} ${round(worst.offered, 0)}/s, machine ${round(worst.machine.busyPct, 0)}% busy)`,
    met: perWorker <= 70 && (Number.isNaN(worstFree) || worstFree <= 10),
  });
}

// Summary table.
const lines: string[] = [];
const fmt = (v: number, d = 1) => (Number.isFinite(v) ? String(round(v, d)) : '-');
lines.push(`| target | scenario | games | offered/s | achieved/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | server CPU us/move (of it Redis) | CPU % by process | Redis cmds/move (incl. inside scripts) | loadgen CPU % / ELD p99 ms | machine CPU % (others) |`);
lines.push(`|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|`);
for (const r of genRows) {
  const cpu = Object.entries(r.procs).map(([k, p]) => `${k} ${fmt(p.cpuPct, 0)}`).join(', ');
  const errs = Object.entries(r.errors).map(([k, v]) => `${k}:${v}`).join(' ') || '0';
  lines.push(`| ${r.target} | ${r.scenario}${r.repeat !== undefined && cfg.ladderRepeat > 1 ? ` #${r.repeat + 1}` : ''}${r.pass === undefined ? '' : r.pass ? ' (pass)' : ' (fail)'} | ${r.games} | ${fmt(r.offered, 0)} | ${fmt(r.achieved, 0)} | ${fmt(r.latency.p50, 2)} | ${fmt(r.latency.p90, 1)} | ${fmt(r.latency.p99, 1)} | ${fmt(r.latency.p999, 1)} | ${fmt(r.latency.max, 0)} | ${errs} | ${fmt(r.serverCpuUsPerMove, 0)}${r.redisCpuUsPerMove !== undefined ? ` (Redis ${fmt(r.redisCpuUsPerMove, 0)})` : ''} | ${cpu} | ${r.redis ? fmt(r.redis.perMove, 1) : '-'} | ${fmt(r.gen.cpuPct, 0)} / ${fmt(r.gen.eldP99, 1)} | ${fmt(r.machine.busyPct, 0)} (${fmt(r.machine.otherPct, 0)}) |`);
}
const idleLines = [`| target | connections held | dropped | open time s | server RSS MiB before -> after | RSS KiB / connection | after a full GC | V8 heap KiB / connection (after GC) | Redis B / connection | server CPU % while idle |`, `|---|---:|---:|---:|---|---:|---:|---:|---:|---:|`];
for (const t of targets) {
  const i = results[t]?.idle;
  if (i) idleLines.push(`| ${t}${i.serverProcesses > 1 ? ` (${i.serverProcesses} processes, summed)` : ''} | ${i.opened} / ${i.requested} | ${i.droppedDuringHold} | ${fmt(i.openS, 1)} | ${fmt(i.serverBaseKiB / 1024, 0)} -> ${fmt(i.serverEndKiB / 1024, 0)} | ${fmt(i.kibPerConnection, 2)} | ${fmt(i.kibPerConnectionAfterGc, 2)} | ${i.heapKiBPerConnectionAfterGc === undefined ? '-' : fmt(i.heapKiBPerConnectionAfterGc, 2)} | ${i.redisBytesPerConnection === undefined ? '-' : fmt(i.redisBytesPerConnection, 0)} | ${fmt(i.serverCpuPctDuringHold, 1)} |`);
}
const f = g?.finalizer;
const finLines = f ? [
  `| finalizer | games | rate | lag p50 ms | lag p99 ms | lag max ms | CPU % |`, `|---|---:|---:|---:|---:|---:|---|`,
  `| steady (games ending while it runs) | ${f.steady.games} | ${fmt(f.steady.endedPerS, 0)} ended/s | ${fmt(f.steady.lagMs.p50, 1)} | ${fmt(f.steady.lagMs.p99, 1)} | ${fmt(f.steady.lagMs.max, 0)} | |`,
  `| backlog drain (finalizer paused, then resumed) | ${f.backlog.games} | ${fmt(f.backlog.durablePerS, 0)} durable/s | | | | finalizer ${fmt(f.backlog.finalizerCpuPct, 0)}, dynalite ${fmt(f.backlog.dynaliteCpuPct, 0)} |`,
] : [];
const searchLines = targets.map((t) => results[t]?.search).filter((s): s is SearchResult => !!s)
  .map((s) => `- ${s.target}: highest sustained ${fmt(s.maxSustained, 0)} moves/s with p99 <= ${s.boundMs} ms; ` +
    `${s.maxSustained50 > 0 ? `${fmt(s.maxSustained50, 0)} moves/s` : 'no measured step'} with p99 <= 50 ms (${s.games} games; steps: ${s.steps.map((r) => `${fmt(r.offered, 0)}/s ${r.pass ? 'pass' : 'fail'}`).join(', ')})`);
const ratioLines = (['colyseus', 'colyseus-scaled'] as const).flatMap((vs) => {
  const mine = ratios.filter((r) => r.vs === vs);
  if (!mine.length) return [];
  return ['', `Ratios (Gambit / ${peerLabel[vs]}):`, ...mine.map((r) => `- ${String(r.at)}: ${Object.entries(r).filter(([k]) => k !== 'at' && k !== 'vs').map(([k, v]) => `${k} ${String(v)}`).join(', ')}`)];
});
// What a move's durability costs: the same stack with a replica and COMMIT_DURABILITY=replicated
// (WAIT 1 after each commit, the gateway reading its events from the replica), side by side.
const durabilityLines: string[] = [];
if (g && gr) {
  durabilityLines.push('', 'What durability costs (Gambit with COMMIT_DURABILITY=replicated and a replica, against Gambit as it ships, same run):');
  if (g.search && gr.search) durabilityLines.push(`- highest sustained moves/s with p99 <= ${cfg.searchBoundMs} ms: ${fmt(gr.search.maxSustained, 0)} vs ${fmt(g.search.maxSustained, 0)} (ratio ${fmt(gr.search.maxSustained / g.search.maxSustained, 3)})`);
  const a = medianRow(g.ladder, 500), b = medianRow(gr.ladder, 500);
  if (a && b) {
    durabilityLines.push(`- at 500 games, ${fmt(a.offered, 0)} moves/s: latency p50 ${fmt(b.latency.p50, 2)} vs ${fmt(a.latency.p50, 2)} ms, p99 ${fmt(b.latency.p99, 1)} vs ${fmt(a.latency.p99, 1)} ms; ` +
      `server CPU ${fmt(b.serverCpuUsPerMove, 0)} vs ${fmt(a.serverCpuUsPerMove, 0)} us/move (ratio ${fmt(b.serverCpuUsPerMove / a.serverCpuUsPerMove, 2)}; the replica's redis-server counted)`);
  }
}
// The fixed flow alone (bench/peers/flow): DESIGN.md's hops of a move and chess.js, nothing else,
// beside both Colyseus setups and Gambit: how much of the floors' budget the flow itself takes.
const flowLines: string[] = [];
if (fl) {
  flowLines.push('', 'The fixed flow alone (flow peer: socket -> command stream -> engine with chess.js -> event stream -> sockets; no auth, checks, state, clocks\' deadlines or records), same run:');
  for (const games of [...new Set((fl.ladder ?? []).map((r) => r.games))]) {
    const f0 = medianRow(fl.ladder, games)!;
    const parts = [`server CPU ${fmt(f0.serverCpuUsPerMove, 0)} us/move (Redis ${fmt(f0.redisCpuUsPerMove ?? NaN, 0)}), p50 ${fmt(f0.latency.p50, 2)} ms, p99 ${fmt(f0.latency.p99, 1)} ms`];
    const c0 = medianRow(c?.ladder, games);
    if (c0) parts.push(`${fmt(f0.serverCpuUsPerMove / c0.serverCpuUsPerMove, 2)}x Colyseus one process (${fmt(c0.serverCpuUsPerMove, 0)} us; the floor for Gambit is 1.5x)`);
    const g0 = medianRow(g?.ladder, games);
    if (g0) parts.push(`Gambit ${fmt(g0.serverCpuUsPerMove / f0.serverCpuUsPerMove, 2)}x the flow (${fmt(g0.serverCpuUsPerMove, 0)} us)`);
    flowLines.push(`- ${games} games, ${fmt(f0.offered, 0)} moves/s offered: ${parts.join('; ')}`);
  }
  if (fl.search) {
    const parts = [`highest sustained ${fmt(fl.search.maxSustained, 0)} moves/s with p99 <= ${cfg.searchBoundMs} ms`];
    if (cs?.search) parts.push(`${fmt(fl.search.maxSustained / cs.search.maxSustained, 3)}x the scaled Colyseus (${fmt(cs.search.maxSustained, 0)})`);
    if (g?.search) parts.push(`Gambit ${fmt(g.search.maxSustained / fl.search.maxSustained, 3)}x the flow`);
    flowLines.push(`- ${parts.join('; ')}`);
  }
}
const floorLines = floors.map((fl) => `- ${fl.met === null ? 'n/a' : fl.met ? 'MET' : 'MISSED'}: ${fl.floor} -> ${fl.measured}`);
const cap = g?.capacity;
const capLines = cap ? ['', `Capacity inputs (\`make capacity\` turns them into pods, Redis shards and a monthly bill: docs/capacity.md): ${capacitySummary(cap)}`] : [];
const md = [
  `Run ${meta.started} (${meta.seconds} s), \`${meta.command}\`, commit ${meta.commit}${meta.dirty ? ' + uncommitted service changes' : ''}`,
  `Machine: ${meta.machine.cores} x ${meta.machine.cpu}, ${meta.machine.memGiB} GiB, Linux ${meta.machine.kernel}, Node ${meta.node}, Redis ${meta.redis}; load average before ${meta.loadBefore.join(' ')}, after ${meta.loadAfter.join(' ')}`,
  '', ...lines, '', ...searchLines, '', ...idleLines, '', ...finLines, ...ratioLines, ...durabilityLines, ...flowLines, ...capLines, '', 'Floors:', ...floorLines, '',
].join('\n');
console.log('\n' + md);

if (cfg.profileDir) {
  for (const t of targets) {
    for (const [name, p] of Object.entries(results[t]?.profiles ?? {})) {
      console.log(`profile ${name}: busy ${fmt(p.busyPct, 0)}% of ${fmt(p.totalMs / 1000, 0)} s; by area: ${p.byArea.slice(0, 8).map((a) => `${a.area} ${fmt(a.selfPct, 1)}%`).join(', ')}`);
      console.log(`  top: ${p.topFunctions.slice(0, 8).map((x) => `${x.name} (${x.where}) ${fmt(x.selfPct, 1)}%`).join('; ')}`);
    }
  }
}

// Plot: latency against offered load, ours and the peer's.
const colors: Record<string, string> = { gambit: '#1f6feb', 'gambit-replicated': '#6f42c1', flow: '#868e96', colyseus: '#d9480f', 'colyseus-scaled': '#2b8a3e' };
const series: Series[] = [];
for (const t of targets) {
  // One point per offered rate: the search steps, and the ladder's 500-game rung (the floor's load).
  const median500 = medianRow(results[t]?.ladder, 500);
  const rows = [...(median500 ? [median500] : []), ...(results[t]?.search?.steps ?? [])]
    .filter((r) => r.moves > 0 && !(results[t]?.search?.steps ?? []).some((s) => s !== r && s.offered === r.offered && r.scenario === 'ladder'));
  if (!rows.length) continue;
  series.push({ label: `${t} p99`, color: colors[t] ?? '#333', points: rows.map((r) => ({ x: r.offered, y: r.latency.p99 })) });
  series.push({ label: `${t} p50`, color: colors[t] ?? '#333', dash: '5 4', points: rows.map((r) => ({ x: r.offered, y: r.latency.p50 })) });
}
const svg = lineChart(series, {
  title: `Move latency (sender move -> opponent moved) vs load, ${meta.machine.cores} cores, ${meta.started.slice(0, 10)}`,
  xLabel: 'moves/s offered (500 games at 500/s, then the search steps with 1,000 games)', yLabel: 'latency ms (log)', refs: [{ y: 40, label: 'p99 40 ms' }, { y: 100, label: 'p99 100 ms' }, { y: 2, label: 'p50 2 ms' }],
});

const json = JSON.stringify({ meta, results, ratios, floors }, (k, v: unknown) => (k === 'log' ? undefined : v), 2);
const base = join(outDir, `run-${stamp}`);
writeFileSync(`${base}.json`, json);
writeFileSync(`${base}.svg`, svg);
writeFileSync(`${base}.md`, md);
for (const ext of ['json', 'svg', 'md']) copyFileSync(`${base}.${ext}`, join(outDir, `latest${quick ? '-quick' : ''}.${ext}`));
console.log(`results: ${base}.{json,svg,md} (and latest${quick ? '-quick' : ''}.*)`);
clearTimeout(deadline);
process.exit(0);
