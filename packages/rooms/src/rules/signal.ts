// WebRTC signalling between the two seated players: the room is the authority on who may call
// whom, so offers, answers and ICE candidates go through it (as a command) to the opponent's
// sockets, on whatever gateways they are. Nothing in the room changes. Pure.
import type { EngineCommand, SignalMsg } from '@gambit/protocol';
import { other } from './clock.js';
import { connId, seatOf, type RoomState } from './state.js';
import type { Decision, Reply } from './decide.js';

type Signal = Extract<EngineCommand, { t: 'signal' }>;

/** The replies carrying the signal to the opponent's sockets (`to`: only that one), or why not. */
export function signal(s: RoomState, cmd: Signal): Decision | { code: 'not_a_player' | 'peer_unavailable'; message: string } {
  const side = seatOf(s, cmd.origin.playerId);
  // A seated player's socket in this room (not a page elsewhere), and neither of them gone from it.
  if (!side || s[side]!.left || !s[side]!.conns.includes(connId(cmd.origin))) {
    return { code: 'not_a_player', message: `only the two players of room ${s.code} can call each other, from the room` };
  }
  const opponent = s[other(side)];
  if (opponent?.left) return { code: 'peer_unavailable', message: 'your opponent left the room' };
  // A seat's sockets are "gateway/connection"; a signal may name one connection it heard from.
  const targets = (opponent?.conns ?? []).map((c) => ({ gw: c.slice(0, c.lastIndexOf('/')), conn: c.slice(c.lastIndexOf('/') + 1) }))
    .filter((t) => cmd.to === undefined || t.conn === cmd.to);
  if (targets.length === 0) return { code: 'peer_unavailable', message: cmd.to ? 'that socket of your opponent is gone' : 'your opponent is not connected' };
  const msg: SignalMsg = { t: 'signal', room: s.code, from: cmd.origin.conn, kind: cmd.kind };
  if (cmd.sdp !== undefined) msg.sdp = cmd.sdp;
  if (cmd.candidate !== undefined) msg.candidate = cmd.candidate;
  return { kind: 'reply', replies: targets.map((t): Reply => ({ gw: t.gw, conn: t.conn, msg })) };
}
