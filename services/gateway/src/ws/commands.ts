// Client frames as engine commands, and the `id` echo of direct answers: pure translation, so the
// socket's owner (client.ts) keeps only its socket's life.
import type { ClientFrame, EngineCommand, Origin, ServerMsg } from '@gambit/protocol';

/** Frames the gateway answers itself: the handshake, pings, the pools and lobby, friends and challenges, chat (Redis, no engine). */
export type GatewayFrame = Extract<ClientFrame, {
  t: 'hello' | 'ping' | 'pool' | 'unpool' | 'lobby' | 'seek' | 'unseek' | 'accept' | 'friends' | 'challenge' | 'challenge_accept'
    | 'challenge_decline' | 'challenge_cancel' | 'challenges' | 'say' | 'chat' | 'mute' | 'report' | 'chat_mode' | 'ice' | 'video';
}>;

/**
 * The engine command for a frame the gateway does not answer itself. `lag`: a move's lag as the
 * socket's estimate credits it (lag-estimate.ts), from the frame's claim.
 */
export function toCommand(f: Exclude<ClientFrame, GatewayFrame>, origin: Origin, lag?: (claim?: number) => number): EngineCommand {
  switch (f.t) {
    case 'create': return { t: 'create', origin, tc: f.tc, color: f.color ?? 'random', ...(f.rated ? { rated: true } : {}) };
    case 'move': return { t: 'move', origin, room: f.room, uci: f.uci, ply: f.ply, ...(lag ? { lag: lag(f.lag) } : {}) };
    case 'draw': return { t: 'draw', origin, room: f.room, action: f.action };
    case 'rematch': return { t: 'rematch', origin, room: f.room, action: f.action ?? 'offer' };
    case 'takeback': return { t: 'takeback', origin, room: f.room, action: f.action ?? 'offer' };
    case 'signal': {
      const { id: _, t, ...signal } = f;
      return { ...signal, t, origin };
    }
    default: return { t: f.t, origin, room: f.room };
  }
}

/** A direct answer echoes the `id` of the frame it answers (PROTOCOL.md). */
export function withId<M extends ServerMsg>(msg: M, id: string | undefined): M {
  return id === undefined ? msg : { ...msg, id };
}
