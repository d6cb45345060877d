// Summarises a V8 .cpuprofile (written by `node --cpu-prof`): where the samples landed, by
// function (self time) and by package/file, so the report can say where a service's time goes.
import { readFileSync } from 'node:fs';

interface CpuNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: CpuNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileSummary {
  totalMs: number;
  /** Share of samples not idle (program + GC). */
  busyPct: number;
  topFunctions: { name: string; where: string; selfPct: number }[];
  byArea: { area: string; selfPct: number }[];
}

/** Groups a script URL into a readable area: a package name, our own source, or node internals. */
export function areaOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'program (native, uncategorised)';
  if (!url) return 'native';
  if (url.startsWith('node:')) return url.split('/')[0]!.replace(/^node:/, 'node:');
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const m = /(services\/[^/]+|packages\/[^/]+|bench\/)/.exec(url);
  return m ? m[1]!.replace(/\/$/, '') : url.replace(/^file:\/\//, '');
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
    total += dt;
  }
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const area = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') idle += us;
    const where = url ? `${url.replace(/^file:\/\/.*?\/(node_modules|services|packages|bench)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const f = fn.get(key) ?? { name: functionName || '(anonymous)', where, us: 0 };
    f.us += us;
    fn.set(key, f);
    const a = areaOf(url, functionName);
    area.set(a, (area.get(a) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number) => (busy > 0 ? (100 * us) / busy : 0);
  return {
    totalMs: total / 1000,
    busyPct: total > 0 ? (100 * busy) / total : 0,
    topFunctions: [...fn.values()].filter((f) => f.name !== '(idle)').sort((a, b) => b.us - a.us).slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfPct: pct(f.us) })),
    byArea: [...area.entries()].filter(([a]) => a !== 'idle').sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([a, us]) => ({ area: a, selfPct: pct(us) })),
  };
}
