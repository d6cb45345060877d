// A small SVG line chart (no plotting library): move latency percentiles against offered load,
// one colour per target, solid p99 and dashed p50, log-scaled latency.

export interface Series {
  label: string;
  color: string;
  dash?: string;
  points: { x: number; y: number }[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Horizontal reference lines (floors), e.g. p99 <= 40 ms. */
  refs?: { y: number; label: string }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(max: number, count = 6): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) ticks.push(Math.round(v * 1000) / 1000);
  return ticks;
}

export function lineChart(series: Series[], o: ChartOptions): string {
  const W = o.width ?? 760;
  const H = o.height ?? 440;
  const m = { l: 64, r: 180, t: 40, b: 50 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.y > 0);
  const xMax = Math.max(1, ...all.map((p) => p.x)) * 1.05;
  const yVals = [...all.map((p) => p.y), ...(o.refs ?? []).map((r) => r.y)];
  const yMin = 10 ** Math.floor(Math.log10(Math.max(0.01, Math.min(...yVals, 1))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...yVals, 10)));
  const sx = (x: number) => m.l + (x / xMax) * pw;
  const sy = (y: number) => m.t + ph - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${m.l}" y="22" font-size="15" font-weight="bold">${esc(o.title)}</text>`);
  // Grid and axes.
  for (let d = Math.log10(yMin); d <= Math.log10(yMax); d++) {
    for (const k of [1, 2, 5]) {
      const v = k * 10 ** d;
      if (v < yMin || v > yMax) continue;
      const y = sy(v);
      out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${k === 1 ? '#ccc' : '#eee'}"/>`);
      out.push(`<text x="${m.l - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" fill="#444">${v >= 1 ? v : v.toPrecision(1)}</text>`);
    }
  }
  for (const t of niceTicks(xMax)) {
    const x = sx(t);
    out.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.t}" y2="${m.t + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x.toFixed(1)}" y="${m.t + ph + 16}" text-anchor="middle" fill="#444">${t}</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  for (const r of o.refs ?? []) {
    const y = sy(r.y);
    out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#c00" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${m.l + pw - 4}" y="${(y - 4).toFixed(1)}" text-anchor="end" fill="#c00" font-size="11">${esc(r.label)}</text>`);
  }
  // Series.
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.y > 0).sort((a, b) => a.x - b.x);
    if (pts.length) {
      const d = pts.map((p, j) => `${j ? 'L' : 'M'}${sx(p.x).toFixed(1)} ${sy(p.y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      for (const p of pts) out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const ly = m.t + 10 + i * 20;
    out.push(`<line x1="${m.l + pw + 12}" x2="${m.l + pw + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${m.l + pw + 46}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
