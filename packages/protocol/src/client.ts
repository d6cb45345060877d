// Frames a browser (or bot) sends to the gateway: PROTOCOL.md "Client to server".
// Every frame is validated here, once, by the gateway and by the tests.
import { z } from 'zod';
import { ROOM_CODE_RE } from './room-code.js';
import { POOL_IDS } from './pools.js';

export const MAX_FRAME_BYTES = 4096;
/** A chat line's most characters (lichess allows 140). */
export const MAX_CHAT_CHARS = 140;
/**
 * A `signal` frame may be this large: a video call's offer (SDP) is 3-8 KB, past MAX_FRAME_BYTES.
 * Only `signal` frames get it (a v1 client never sends one); every other frame keeps the 4096 bytes.
 */
export const MAX_SIGNAL_FRAME_BYTES = 16_384;

const id = z.string().max(64).optional();
export const roomCode = z.string().regex(ROOM_CODE_RE, 'room must be 8 characters from ABCDEFGHJKMNPQRSTUVWXYZ23456789');
export const uci = z.string().regex(/^[a-h][1-8][a-h][1-8][qrbn]?$/, 'uci must look like e2e4 or e7e8q');
export const color = z.enum(['white', 'black']);
export const seekId = z.string().regex(/^[A-Za-z0-9_-]{8,24}$/, 'seek must be a seek id from the lobby');
export const challengeId = z.string().regex(/^[A-Za-z0-9_-]{8,24}$/, 'challenge must be a challenge id');
/** A signed-in player's id (`u_` and base64url): only accounts have friends. */
export const accountId = z.string().regex(/^u_[A-Za-z0-9_-]{1,64}$/, 'to must be the player id of an account (u_...)');

/** Time control: up to 3 hours base (more than zero: the clock runs from the start) and 3 minutes increment. */
export const timeControl = z.object({
  initialMs: z.number().int().min(1).max(3 * 60 * 60 * 1000),
  incrementMs: z.number().int().min(0).max(3 * 60 * 1000),
});

export const clientFrame = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), id, token: z.string().min(1).max(2048),
    resume: z.object({ room: roomCode, seq: z.number().int().min(0) }).optional() }),
  // Addition: `rated` (signed-in players only; absent = a casual game, as in v1).
  z.object({ t: z.literal('create'), id, tc: timeControl, color: z.enum(['white', 'black', 'random']).optional(), rated: z.boolean().optional() }),
  z.object({ t: z.literal('join'), id, room: roomCode }),
  z.object({ t: z.literal('watch'), id, room: roomCode }),
  // Addition: `lag`, the round trip the client measured (ms, its own pings): bounded by the server's
  // measurement and the move's quota (docs/protocol.md); absent, the server's measurement alone.
  z.object({ t: z.literal('move'), id, room: roomCode, uci, ply: z.number().int().min(0), lag: z.number().min(0).optional().catch(undefined) }),
  z.object({ t: z.literal('resign'), id, room: roomCode }),
  z.object({ t: z.literal('draw'), id, room: roomCode, action: z.enum(['offer', 'accept', 'decline']) }),
  z.object({ t: z.literal('abort'), id, room: roomCode }),
  z.object({ t: z.literal('leave'), id, room: roomCode }),
  // Addition: after the end, the next game in the same room (docs/protocol.md); `action` defaults to offer.
  z.object({ t: z.literal('rematch'), id, room: roomCode, action: z.enum(['offer', 'accept', 'decline']).optional() }),
  // Additions: quick pairing (docs/protocol.md). Wait in one pool for an opponent; `unpool` stops.
  z.object({ t: z.literal('pool'), id, pool: z.enum(POOL_IDS), rated: z.boolean().optional() }),
  z.object({ t: z.literal('unpool'), id }),
  // Additions: the lobby (docs/protocol.md). Follow its seeks, open one, cancel it, accept another's.
  z.object({ t: z.literal('lobby'), id, on: z.boolean().optional() }),
  z.object({ t: z.literal('seek'), id, tc: timeControl, color: z.enum(['white', 'black', 'random']).optional(), rated: z.boolean().optional() }),
  z.object({ t: z.literal('unseek'), id, seek: seekId }),
  z.object({ t: z.literal('accept'), id, seek: seekId }),
  // Additions: friends (docs/protocol.md). Follow their presence; challenge one; answer or withdraw a challenge.
  z.object({ t: z.literal('friends'), id, on: z.boolean().optional() }),
  z.object({ t: z.literal('challenge'), id, to: accountId, tc: timeControl, color: z.enum(['white', 'black', 'random']).optional(), rated: z.boolean().optional() }),
  z.object({ t: z.literal('challenge_accept'), id, challenge: challengeId }),
  z.object({ t: z.literal('challenge_decline'), id, challenge: challengeId }),
  z.object({ t: z.literal('challenge_cancel'), id, challenge: challengeId }),
  z.object({ t: z.literal('challenges'), id }),
  // Additions: chat (docs/protocol.md). A line to the room (the players' chat if seated, else the
  // spectators'); the lines after `after`; mute a player's lines; report a line; close the
  // spectators' chat (a seated player).
  z.object({ t: z.literal('say'), id, room: roomCode, text: z.string().trim().min(1, 'text is empty').max(MAX_CHAT_CHARS, `text is limited to ${MAX_CHAT_CHARS} characters`) }),
  z.object({ t: z.literal('chat'), id, room: roomCode, after: z.number().int().min(0).optional() }),
  z.object({ t: z.literal('mute'), id, playerId: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'playerId must be a player id'), on: z.boolean().optional() }),
  z.object({ t: z.literal('report'), id, room: roomCode, channel: z.enum(['players', 'spectators']), n: z.number().int().min(1), reason: z.string().max(200).optional() }),
  z.object({ t: z.literal('chat_mode'), id, room: roomCode, spectators: z.boolean() }),
  // Additions: courtesies between the players (docs/protocol.md): 15 s more for the opponent; ask to
  // take back one's last move (accept or decline the opponent's ask).
  z.object({ t: z.literal('moretime'), id, room: roomCode }),
  z.object({ t: z.literal('takeback'), id, room: roomCode, action: z.enum(['offer', 'accept', 'decline']).optional() }),
  // Additions: video and voice between the two seated players (docs/protocol.md). `signal` carries
  // WebRTC's offer, answer and ICE candidates to the opponent's sockets (`to`: one of them, once it
  // answered); `ice` asks for the TURN servers and their short-lived credentials; `video` reports
  // how a call went, for the metrics.
  z.object({
    t: z.literal('signal'), id, room: roomCode, to: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'to must be a socket id from a signal').optional(),
    kind: z.enum(['offer', 'answer', 'candidate', 'hangup']),
    sdp: z.string().max(12_000).optional(),
    candidate: z.object({ candidate: z.string().max(1_000), sdpMid: z.string().max(64).nullable().optional(), sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional() }).optional(),
  }).refine((f) => (f.kind === 'offer' || f.kind === 'answer') === (f.sdp !== undefined), { message: 'an offer or answer carries sdp, nothing else does', path: ['sdp'] })
    .refine((f) => (f.kind === 'candidate') === (f.candidate !== undefined), { message: 'a candidate carries candidate, nothing else does', path: ['candidate'] }),
  z.object({ t: z.literal('ice'), id }),
  z.object({ t: z.literal('video'), id, room: roomCode, state: z.enum(['started', 'connected', 'failed']), relay: z.boolean().optional() }),
  z.object({ t: z.literal('ping'), id }),
]);

export type ClientFrame = z.infer<typeof clientFrame>;
export type ClientFrameType = ClientFrame['t'];
export type TimeControl = z.infer<typeof timeControl>;
export type Color = z.infer<typeof color>;

export type ParseResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; message: string; id?: string; t?: string };

/** Parses one text frame. Never throws: bad input becomes a message for a `bad_request` error. */
export function parseClientFrame(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'frame is not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, message: 'frame must be a JSON object' };
  }
  const rawId = (raw as { id?: unknown }).id;
  const echoId = typeof rawId === 'string' && rawId.length <= 64 ? rawId : undefined;
  const result = clientFrame.safeParse(raw);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  const message = issue?.code === 'invalid_union' && path === 't'
    ? `unknown message type ${JSON.stringify((raw as { t?: unknown }).t)}`
    : `${path ? path + ': ' : ''}${issue?.message ?? 'invalid frame'}`;
  const t = (raw as { t?: unknown }).t;
  return { ok: false, message, ...(echoId === undefined ? {} : { id: echoId }), ...(typeof t === 'string' ? { t } : {}) };
}
