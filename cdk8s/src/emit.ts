// YAML for Kubernetes objects whose strings may hold Helm template text (see binding.ts for the
// markers). Plain objects come out as ordinary YAML; the same emitter writes the chart templates,
// the plain manifests and values.yaml, so all three look alike.

const IF_KEY = /^@@if (.+)@@(.*)$/s;
const WHOLE_ACTION = /^\{\{(?:(?!\}\})[\s\S])*\}\}$/;
const YAML_WORDS = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isPlainSafe(s: string): boolean {
  if (s === '' || YAML_WORDS.test(s)) return false;
  if (!/^[A-Za-z_/][A-Za-z0-9_./:=@+,-]*$/.test(s)) return false; // letters first: no numbers, no indicators
  return !s.endsWith(':') && !s.includes(': ') && !s.includes(':,');
}

export function scalar(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw new Error(`not a scalar: ${JSON.stringify(v)}`);
  if (WHOLE_ACTION.test(v)) return v; // Helm prints it (quoted where the binding asked for | quote)
  if (v.includes('{{')) {
    // text around expressions: a double-quoted scalar whose expressions print DNS-safe text
    return '"' + v.split(/(\{\{[\s\S]*?\}\})/).map((part) => (part.startsWith('{{') ? part : JSON.stringify(part).slice(1, -1))).join('') + '"';
  }
  return isPlainSafe(v) ? v : JSON.stringify(v);
}

function key(k: string): string {
  if (k.includes('{{')) return scalar(k);
  return isPlainSafe(k) || /^[A-Za-z0-9_./-]+$/.test(k) && !YAML_WORDS.test(k) && !/^[0-9.+-]/.test(k) ? k : JSON.stringify(k);
}

/** A multi-line literal string as a block scalar, when that is exact. */
function blockScalar(s: string, indent: number): string[] | undefined {
  if (!s.includes('\n') || s.includes('{{') || /[ \t]\n|^[ \t]|[\r\t]/.test(s)) return undefined;
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  if (body.endsWith('\n') || body === '') return undefined;
  const pad = ' '.repeat(indent);
  return [s.endsWith('\n') ? '|' : '|-', ...body.split('\n').map((l) => (l === '' ? '' : pad + l))];
}

function isObj(v: Json): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const ifItem = (v: Json): [string, Json] | undefined => {
  if (!isObj(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0]!.startsWith('@@if ') && !keys[0]!.slice(5).includes('@@') ? [keys[0]!.slice(5), v[keys[0]!]!] : undefined;
};

const anyOf = (conds: string[]) => {
  const unique = [...new Set(conds)];
  return unique.length === 1 ? unique[0]! : `(or ${unique.join(' ')})`;
};

function entry(k: string, v: Json, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const head = `${pad}${key(k)}:`;
  if (typeof v === 'string' && v.startsWith('@@yaml ')) return [head, `{{- ${v.slice(7)} | nindent ${indent + 2} }}`];
  if (typeof v === 'string' && v.startsWith('@@text ')) return [`${head} |-`, `{{- ${v.slice(7)} | nindent ${indent + 2} }}`];
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${head} []`];
    const conds = v.map((i) => ifItem(i)?.[0]);
    // only conditional items: the key itself exists only when one of them does (never `key: null`)
    if (conds.every((c) => c !== undefined)) return [`{{- if ${anyOf(conds as string[])} }}`, head, ...list(v, indent + 2, true), '{{- end }}'];
    return [head, ...list(v, indent + 2)];
  }
  if (isObj(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return [`${head} {}`];
    const conds = keys.map((k) => (k.startsWith('@@merge ') ? k.slice(8) : IF_KEY.exec(k)?.[1]));
    if (conds.every((c) => c !== undefined)) return [`{{- if ${anyOf(conds as string[])} }}`, head, ...map(v, indent + 2, true), '{{- end }}'];
    return [head, ...map(v, indent + 2)];
  }
  if (typeof v === 'string') {
    const block = blockScalar(v, indent + 2);
    if (block) return [`${head} ${block[0]}`, ...block.slice(1)];
  }
  return [`${head} ${scalar(v)}`];
}

function map(obj: { [k: string]: Json }, indent: number, guarded = false): string[] {
  const out: string[] = [];
  let plain = 0;
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('@@merge ')) {
      out.push(`{{- with ${k.slice(8)} }}`, `{{- toYaml . | nindent ${indent} }}`, '{{- end }}');
      continue;
    }
    const m = IF_KEY.exec(k);
    if (m) out.push(`{{- if ${m[1]} }}`, ...entry(m[2]!, v, indent), '{{- end }}');
    else {
      out.push(...entry(k, v, indent));
      plain++;
    }
  }
  if (plain === 0 && !guarded) throw new Error(`a map needs one unconditional entry, or it may render as null: ${JSON.stringify(obj)}`);
  return out;
}

function list(items: Json[], indent: number, guarded = false): string[] {
  const out: string[] = [];
  let plain = 0;
  for (const item of items) {
    const cond = ifItem(item);
    if (cond) out.push(`{{- if ${cond[0]} }}`, ...listItem(cond[1], indent), '{{- end }}');
    else {
      out.push(...listItem(item, indent));
      plain++;
    }
  }
  if (plain === 0 && !guarded) throw new Error(`a list needs one unconditional item, or it may render as null: ${JSON.stringify(items)}`);
  return out;
}

function listItem(item: Json, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (typeof item === 'string' && item.startsWith('@@yaml ')) return [`${pad}-`, `{{- ${item.slice(7)} | nindent ${indent + 2} }}`];
  if (Array.isArray(item)) throw new Error('lists of lists are not emitted');
  if (isObj(item)) {
    if (Object.keys(item).length === 0) return [`${pad}- {}`];
    const lines = map(item, indent + 2);
    if (lines[0]!.startsWith('{{')) return [`${pad}-`, ...lines];
    return [`${pad}- ${lines[0]!.slice(indent + 2)}`, ...lines.slice(1)];
  }
  return [`${pad}- ${scalar(item)}`];
}

/** One YAML document (no leading ---), ending with a newline. */
export function toYaml(value: unknown): string {
  const v = JSON.parse(JSON.stringify(value)) as Json;
  if (!isObj(v)) throw new Error('a document is a map');
  return map(v, 0).join('\n') + '\n';
}

/** A template file: documents joined with ---, inside {{- if }} when the objects are optional. */
export function templateFile(docs: { value: unknown; cond: string }[], header = ''): string {
  const parts: string[] = [];
  for (const d of docs) {
    const body = toYaml(d.value);
    parts.push(d.cond === 'true' ? `---\n${body}` : `{{- if ${d.cond} }}\n---\n${body}{{- end }}\n`);
  }
  return header + parts.join('');
}
