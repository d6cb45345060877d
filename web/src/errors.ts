// Every server `error` the page shows, as a sentence: one place, by error code. The server's own
// `message` is for logs and developers (it can read like "tc.initialMs: Too small: ..."), never
// for the player.
import type { ErrorCode } from '@gambit/protocol';

/** What the player was doing when the error came back (the prefix of the frame id). */
export type Action = 'hello' | 'create' | 'join' | 'watch' | 'move' | 'resign' | 'draw' | 'abort' | 'leave' | 'other';

const TEXT: Record<ErrorCode, (room: string, action: Action) => string> = {
  bad_request: (_r, a) => a === 'create'
    ? 'The server did not accept these game settings: pick another time control'
    : 'The server did not understand that request: reload the page if it happens again',
  unauthorized: () => 'Your session expired: signing you in again',
  too_large: () => 'That request was too large for the server',
  rate_limited: () => 'Too many requests: wait a moment and try again',
  room_not_found: (r) => (r ? `No game with the code ${r}: it may have ended or expired` : 'That game no longer exists'),
  room_full: () => 'That game already has two players',
  not_a_player: () => 'You are not playing in this game',
  not_your_turn: () => 'It is not your move',
  illegal_move: () => 'That move is not legal',
  stale_ply: () => 'The position changed before your move arrived: try again',
  game_over: () => 'The game is already over',
  internal: () => 'Something went wrong on the server: try again',
};

export function actionOf(id: string | undefined): Action {
  const kind = (id ?? '').split('-')[0] ?? '';
  return (['hello', 'create', 'join', 'watch', 'move', 'resign', 'draw', 'abort', 'leave'] as const).find((a) => a === kind) ?? 'other';
}

/** The sentence for an error code (a code this page does not know yet gets a general one). */
export function errorText(code: string, room: string | null = null, action: Action = 'other'): string {
  const text = Object.hasOwn(TEXT, code) ? TEXT[code as ErrorCode] : undefined;
  return text ? text(room ?? '', action) : 'Something went wrong: try again';
}
