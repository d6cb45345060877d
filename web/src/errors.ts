// Every server `error` the page shows, as a sentence: one place, by error code. The server's own
// `message` is for logs and developers (it can read like "tc.initialMs: Too small: ..."), never
// for the player. Also why a video call ended (the browser's refusals, a failed connection).
import type { ErrorCode } from '@gambit/protocol';
import { CHAT_MAX } from './chat.js';
import type { CallEnd } from './video.js';

/** What the player was doing when the error came back (the prefix of the frame id). */
export type Action = 'hello' | 'create' | 'join' | 'watch' | 'move' | 'resign' | 'draw' | 'abort' | 'leave' | 'rematch' | 'pool' | 'seek' | 'accept'
  | 'challenge' | 'chaccept' | 'say' | 'chat' | 'mute' | 'report' | 'chatmode' | 'signal' | 'ice' | 'takeback' | 'moretime' | 'other';

const TEXT: Record<ErrorCode, (room: string, action: Action) => string> = {
  bad_request: (_r, a) => a === 'create' ? 'The server did not accept these game settings: pick another time control'
    : a === 'say' ? `That line was not sent: write 1 to ${CHAT_MAX} characters`
    : a === 'mute' ? 'You cannot mute yourself'
    : 'The server did not understand that request: reload the page if it happens again',
  unauthorized: () => 'Your session expired: signing you in again',
  too_large: () => 'That request was too large for the server',
  rate_limited: (_r, a) => (a === 'challenge' ? 'Too many challenges this minute: wait a little before the next one'
    : a === 'say' ? 'You are sending lines too fast: wait a few seconds'
    : a === 'report' ? 'Too many reports: wait a minute before the next one'
    : a === 'signal' ? 'Too many call requests: wait a moment, then call again'
    : 'Too many requests: wait a moment and try again'),
  room_not_found: (r) => (r ? `No game with the code ${r}: it may have ended or expired` : 'That game no longer exists'),
  room_full: () => 'That game already has two players',
  not_a_player: (_r, a) => (a === 'chatmode' ? "Only the players open or close the spectators' chat"
    : a === 'signal' ? 'Only the two players of a game can call each other' : 'You are not playing in this game'),
  not_your_turn: () => 'It is not your move',
  illegal_move: () => 'That move is not legal',
  stale_ply: () => 'The position changed before your move arrived: try again',
  game_over: () => 'The game is already over',
  internal: () => 'Something went wrong on the server: try again',
  game_not_over: () => 'The game is not over yet',
  already_offered: (_r, a) => (a === 'takeback' ? 'You already asked for a takeback: wait for the answer' : 'You already offered a rematch'),
  no_offer: (_r, a) => (a === 'takeback' ? 'There is no takeback request any more' : 'There is no rematch offer any more'),
  opponent_left: () => 'Your opponent left: no rematch',
  in_game: (_r, a) => (a === 'chaccept' ? 'Finish your game first, then accept: you are playing one' : 'Finish your game first: you are playing one'),
  seek_not_found: () => 'That seek was taken or cancelled',
  own_seek: () => 'That seek is your own: wait for someone to accept it',
  too_many_seeks: () => 'You have three open seeks: cancel one first',
  not_friends: () => 'You can challenge only your friends, and only when signed in',
  challenge_self: () => 'You cannot challenge yourself',
  friend_offline: () => 'Your friend is not online: challenge them when they are',
  challenge_not_found: () => 'That challenge is over: it was withdrawn, answered or timed out',
  too_many_challenges: () => 'You have as many open challenges as allowed: cancel one first',
  already_challenged: () => 'You have challenged this friend already: wait for the answer or cancel it',
  rated_needs_account: (_r, a) => (a === 'create' || a === 'pool' || a === 'seek' ? 'Sign in to play rated games' : 'This game is rated: sign in to join it'),
  not_in_room: () => "You are no longer in this game's room: reload the page to chat",
  chat_closed: () => "The players closed the spectators' chat",
  chat_needs_account: () => 'Sign in to chat with other spectators',
  line_not_found: () => 'That line is too old to report',
  too_many_takebacks: () => 'You asked for as many takebacks as a game allows',
  peer_unavailable: (_r, a) => (a === 'signal' ? 'Your opponent is not connected right now: call again once they are back'
    : 'Your opponent is not connected right now'),
};

export function actionOf(id: string | undefined): Action {
  const kind = (id ?? '').split('-')[0] ?? '';
  return (['hello', 'create', 'join', 'watch', 'move', 'resign', 'draw', 'abort', 'leave', 'rematch', 'pool', 'seek', 'accept', 'challenge', 'chaccept',
    'say', 'chat', 'mute', 'report', 'chatmode', 'signal', 'ice', 'takeback', 'moretime'] as const)
    .find((a) => a === kind) ?? 'other';
}

/** The sentence for an error code (a code this page does not know yet gets a general one). */
export function errorText(code: string, room: string | null = null, action: Action = 'other'): string {
  const text = Object.hasOwn(TEXT, code) ? TEXT[code as ErrorCode] : undefined;
  return text ? text(room ?? '', action) : 'Something went wrong: try again';
}

/** Why a video call ended, as the panel says it (`detail`: the server's refusal, for `refused`); null: nothing to say. */
export function callEndText(reason: CallEnd | null, opponent: string, detail: string | null = null): string | null {
  switch (reason) {
    case null: return null;
    case 'ended': return 'Call ended';
    case 'hung-up': return `${opponent} hung up`;
    case 'cancelled': return `${opponent} stopped calling`;
    case 'declined': return `${opponent} did not take the call`;
    case 'no-answer': return `${opponent} did not answer`;
    case 'missed': return `You missed a call from ${opponent}`;
    case 'left': return `${opponent} left: the call ended`;
    case 'failed': return 'The video connection failed (a firewall or network may block it). The game goes on; try again later';
    case 'no-device': return 'No camera or microphone found: connect one, then start again';
    case 'denied': return "Camera and microphone are blocked for this site: allow them in your browser's site settings, then start again";
    case 'media': return 'Your camera or microphone could not start (another app may be using it)';
    case 'unsupported': return 'This browser cannot make video calls here (it needs WebRTC and a secure https page)';
    case 'offline': return 'Not connected to the server: try again in a moment';
    case 'refused': return detail ?? 'The server refused the call: try again';
  }
}

/** The HTTP API's errors (api.ts ApiError code and status) as sentences. */
export function apiErrorText(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 0;
  switch (code) {
    case 'network': return 'Cannot reach the server: check your connection and try again.';
    case 'bad_username': return 'That username is not allowed: use 3-20 letters, digits, _ or -.';
    case 'username_taken': return 'That username is taken: pick another.';
    case 'too_soon': return 'You changed your username recently: try again later.';
    case 'cross_site': return 'The request came from another site and was refused: reload the page and try again.';
    case 'not_found': return 'Not found.';
    case 'yourself': return 'That is you.';
    case 'cannot_befriend': return 'You cannot send this player a friend request.';
    case 'already_friends': return 'You are friends already.';
    case 'already_requested': return 'You asked already: wait for an answer.';
    case 'no_request': return 'There is no friend request from this player any more.';
    case 'rate_limited': return 'Too many requests: wait a moment and try again.';
  }
  if (status === 401) return 'You are not signed in (any more): sign in and try again.';
  if (status === 404) return 'Not found.';
  if (status >= 500) return 'Something went wrong on the server: try again in a moment.';
  return 'Something went wrong: try again.';
}
