// Hostile frames for the protocol fuzzer, from a seeded generator (a failing run can be replayed).
// Every frame it makes is one the gateway must answer with exactly one `error` (or a `pong`):
// malformed, mistyped, oversized fields, unknown types, prototype-pollution keys, or valid
// commands in a state where they must be refused (rooms that do not exist, a second hello).

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = ['hello', 'create', 'join', 'watch', 'move', 'resign', 'draw', 'abort', 'leave', 'rematch', 'ping'];
const WEIRD: unknown[] = [
  null, true, false, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, '', ' ', '0', 'ABCDEFGH', 'e2e4', 'é', '\u0000', '\u202e', '😀'.repeat(50),
  '\ud800', [], [1, 2], {}, { $gt: '' }, 'x'.repeat(3000), { __proto__: { admin: true } }, 'constructor', '__proto__',
];
/** Room codes in the right shape that no room has (they start with 22: the tests never create those). */
const ghostRoom = (r: () => number) => `22${Array.from({ length: 6 }, () => 'ABCDEFGHJKMNPQRSTUVWXYZ'[Math.floor(r() * 23)]).join('')}`;

export function fuzzFrame(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const kind = Math.floor(r() * 8);
  const valid = () => validFrameInWrongState(r);
  switch (kind) {
    case 0: { // random text
      const n = 1 + Math.floor(r() * 200);
      let s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(32 + Math.floor(r() * 0x2fd0));
      return s.startsWith('{') ? `x${s}` : s === '' ? 'x' : /^\s*("|\d|-|\[|t|f|n)/.test(s) ? `x${s}` : s;
    }
    case 1: { // truncated JSON
      const s = JSON.stringify(valid());
      return s.slice(0, Math.max(1, Math.floor(r() * (s.length - 1))));
    }
    case 2: { // a field of the wrong type
      const f = valid() as Record<string, unknown>;
      const keys = Object.keys(f).filter((k) => k !== 't' && k !== 'id');
      if (!keys.length) return JSON.stringify({ ...f, t: pick(WEIRD) });
      f[pick(keys)] = pick(WEIRD.filter((w) => typeof w !== 'string' || w === '' || w.length > 100));
      return JSON.stringify(f);
    }
    case 3: // unknown or mistyped `t`
      return JSON.stringify({ t: pick(['', 'MOVE', 'moves', 'admin', 'hello ', 0, null, ['move'], { t: 'move' }]), room: ghostRoom(r) });
    case 4: { // prototype pollution attempts, with something else wrong
      const f = valid() as Record<string, unknown>;
      return JSON.stringify(f).replace('{', `{"__proto__":{"t":"ping","room":"${ghostRoom(r)}"},"constructor":{"prototype":{"polluted":1}},`);
    }
    case 5: // not an object
      return JSON.stringify(pick([[], [{ t: 'ping' }], 'ping', 42, null, true]));
    case 6: // huge numbers and strings in the right places
      return JSON.stringify({ t: 'move', room: ghostRoom(r), uci: 'e2e4', ply: pick([1e308, -1, 2 ** 64, 0.1]) });
    default:
      return JSON.stringify(valid());
  }
}

/** A well-formed command that must still be refused: no such room, or a second hello. */
function validFrameInWrongState(r: () => number): Record<string, unknown> {
  const room = ghostRoom(r);
  const t = TYPES[Math.floor(r() * TYPES.length)]!;
  switch (t) {
    case 'hello': return { t, token: 'x.y.z' };
    case 'create': return { t, tc: { initialMs: -5, incrementMs: 0 } };
    case 'move': return { t, room, uci: 'e2e4', ply: 0 };
    case 'draw': return { t, room, action: 'offer' };
    case 'ping': return { t: 'join', room };
    default: return { t, room };
  }
}
