// The flow peer's engine: reads the command stream with a consumer group, plays each command on
// rooms held in memory (chess.js validates every move; Fischer clocks on server time; the same
// automatic ends as the Colyseus peer), and writes each batch's answers to the gateways' event
// streams with the batch's XACK: one pipeline, one write. Stores nothing else.
import { randomBytes } from 'node:crypto';
import { Chess, type Move } from 'chess.js';
import { Redis } from 'ioredis';
import { COMMANDS, GROUP, answerFields, decodeCommand, eventsOf, type Origin } from './streams.js';

type Side = 'white' | 'black';
interface Room { code: string; chess: Chess; seats: Partial<Record<Side, Origin>>; seq: number; tc: { initialMs: number; incrementMs: number }; clock: { white: number; black: number; running: Side | null; at: number } }
interface Frame { t?: string; id?: string; room?: string; uci?: string; ply?: number; tc?: Room['tc'] }
type Answer = { to: Origin[]; msg: Record<string, unknown> };

const kindOf = (m: Move): string =>
  m.isPromotion() ? 'promotion' : m.isKingsideCastle() || m.isQueensideCastle() ? 'castle' : m.isEnPassant() ? 'en_passant' : m.isCapture() ? 'capture' : 'move';

export class FlowRooms {
  private readonly rooms = new Map<string, Room>();

  handle(from: Origin, f: Frame): Answer[] {
    const err = (code: string) => [{ to: [from], msg: { t: 'error', id: f.id, code, message: code } }];
    if (f.t === 'create') {
      const code = randomBytes(6).toString('base64url').slice(0, 8).toUpperCase();
      const tc = f.tc ?? { initialMs: 600_000, incrementMs: 0 };
      this.rooms.set(code, { code, chess: new Chess(), seats: { white: from }, seq: 0, tc, clock: { white: tc.initialMs, black: tc.initialMs, running: null, at: Date.now() } });
      return [{ to: [from], msg: { t: 'created', id: f.id, room: code, color: 'white' } }];
    }
    const r = this.rooms.get(String(f.room));
    if (!r) return err('room_not_found');
    const both = (): Origin[] => [r.seats.white, r.seats.black].filter((s): s is Origin => !!s);
    const side: Side | null = r.seats.white?.conn === from.conn && r.seats.white.gw === from.gw ? 'white' : r.seats.black?.conn === from.conn && r.seats.black.gw === from.gw ? 'black' : null;
    if (f.t === 'join') {
      if (r.seats.black) return err('room_full');
      r.seats.black = from;
      r.clock = { ...r.clock, running: 'white', at: Date.now() };
      return [
        { to: [from], msg: { t: 'joined', id: f.id, room: r.code, color: 'black' } },
        { to: both(), msg: { t: 'started', room: r.code, seq: ++r.seq, fen: r.chess.fen(), clock: r.clock } },
      ];
    }
    if (!side) return err('not_a_player');
    if (f.t === 'resign') return this.end(r, both(), side === 'white' ? '0-1' : '1-0', 'resign');
    if (f.t !== 'move' || typeof f.uci !== 'string' || !/^[a-h][1-8][a-h][1-8][qrbn]?$/.test(f.uci)) return err('bad_request');
    if ((r.chess.turn() === 'w' ? 'white' : 'black') !== side) return err('not_your_turn');
    const plies = 2 * (r.chess.moveNumber() - 1) + (r.chess.turn() === 'b' ? 1 : 0);
    if (f.ply !== plies) return err('stale_ply');
    let m: Move;
    try {
      m = r.chess.move({ from: f.uci.slice(0, 2), to: f.uci.slice(2, 4), ...(f.uci[4] ? { promotion: f.uci[4] } : {}) });
    } catch {
      return err('illegal_move');
    }
    const now = Date.now();
    r.clock = { ...r.clock, [side]: r.clock[side] - (now - r.clock.at) + r.tc.incrementMs, running: side === 'white' ? 'black' : 'white', at: now };
    const c = r.chess;
    const moved: Answer = { to: both(), msg: { t: 'moved', room: r.code, seq: ++r.seq, ply: plies + 1, uci: f.uci, san: m.san, fen: m.after, clock: r.clock, check: c.inCheck(), kind: kindOf(m) } };
    const end = c.isCheckmate() ? [side === 'white' ? '1-0' : '0-1', 'checkmate'] : c.isStalemate() ? ['1/2-1/2', 'stalemate']
      : c.isInsufficientMaterial() ? ['1/2-1/2', 'insufficient_material'] : c.isThreefoldRepetition() ? ['1/2-1/2', 'threefold_repetition']
        : c.isDrawByFiftyMoves() ? ['1/2-1/2', 'fifty_moves'] : null;
    return end ? [moved, ...this.end(r, both(), end[0]!, end[1]!)] : [moved];
  }

  private end(r: Room, to: Origin[], result: string, reason: string): Answer[] {
    this.rooms.delete(r.code); // nothing is kept of a finished game: later commands find no room
    return [{ to, msg: { t: 'ended', room: r.code, seq: ++r.seq, result, reason, pgn: r.chess.pgn() } }];
  }
}

export interface FlowEngine { close(): Promise<void> }

export async function startFlowEngine(o: { redisUrl: string }): Promise<FlowEngine> {
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const reader = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  await redis.xgroup('CREATE', COMMANDS, GROUP, '$', 'MKSTREAM').catch((e: Error) => { if (!/BUSYGROUP/.test(e.message)) throw e; });
  const rooms = new FlowRooms();
  let on = true;
  const loop = (async () => {
    while (on) {
      const res = (await reader.xreadgroup('GROUP', GROUP, 'e1', 'COUNT', 64, 'BLOCK', 1000, 'STREAMS', COMMANDS, '>').catch(async () => {
        if (on) await new Promise((r) => setTimeout(r, 250)); // Redis away: no busy loop
        return null;
      })) as [string, [string, string[]][]][] | null;
      const entries = res?.[0]?.[1] ?? [];
      if (!entries.length) continue;
      const p = redis.pipeline();
      for (const [, fields] of entries) {
        const cmd = decodeCommand(fields);
        if (!cmd) continue;
        let frame: Frame;
        try { frame = JSON.parse(cmd.frame) as Frame; } catch { continue; }
        for (const a of rooms.handle(cmd.origin, frame)) {
          const text = JSON.stringify(a.msg);
          // One entry per gateway, naming its sockets: both players of a game on one gateway share it.
          for (const gw of new Set(a.to.map((t) => t.gw))) {
            p.xadd(eventsOf(gw), 'MAXLEN', '~', '10000', '*', ...answerFields(a.to.filter((t) => t.gw === gw).map((t) => t.conn), text));
          }
        }
      }
      p.xack(COMMANDS, GROUP, ...entries.map(([id]) => id));
      await p.exec().catch(() => undefined); // a benchmark peer: a lost batch shows as the players' timeouts
    }
  })();
  return {
    async close() {
      on = false;
      reader.disconnect();
      await loop;
      redis.disconnect();
    },
  };
}
