// Messages the gateway sends to clients: PROTOCOL.md "Server to client".
import type { Color, TimeControl } from './client.js';
import type { PoolId } from './pools.js';

export type Side = Color;
export type Result = '1-0' | '0-1' | '1/2-1/2';
export const END_REASONS = [
  'checkmate', 'resign', 'timeout', 'stalemate', 'agreement', 'insufficient_material',
  'threefold_repetition', 'fifty_moves', 'abandoned', 'aborted',
] as const;
export type EndReason = (typeof END_REASONS)[number];
export const MOVE_KINDS = ['move', 'capture', 'castle', 'promotion', 'en_passant'] as const;
export type MoveKind = (typeof MOVE_KINDS)[number];
export type RoomStatus = 'waiting' | 'active' | 'ended';

export interface Clock { white: number; black: number; running: Side | null; at: number }
export interface SeatView { playerId: string; name: string; connected: boolean }
/** Addition: the room as a session of games: the current game's number (1-based) and points per playerId. */
export interface Series { game: number; score: Record<string, number> }

export const ERROR_CODES = [
  'bad_request', 'unauthorized', 'too_large', 'rate_limited', 'room_not_found', 'room_full',
  'not_a_player', 'not_your_turn', 'illegal_move', 'stale_ply', 'game_over', 'internal',
  // Additions, answers to `rematch` only (docs/protocol.md): a v1 client never sees them.
  'game_not_over', 'already_offered', 'no_offer', 'opponent_left',
  // Addition: `create` or `join` of a rated game without an account (a v1 client never asks for one).
  'rated_needs_account',
  // Addition: `pool`, `seek` or `accept` by a player who is in a game (one game at a time).
  'in_game',
  // Additions, answers to seeks only: taken, cancelled or never there; one's own; over the cap.
  'seek_not_found', 'own_seek', 'too_many_seeks',
  // Additions, answers to challenges only: not a friend (or a guest); oneself; the friend is not
  // online; gone or never there; over the cap of open challenges; one to this friend stands already.
  'not_friends', 'challenge_self', 'friend_offline', 'challenge_not_found', 'too_many_challenges', 'already_challenged',
  // Additions, answers to chat only: not in that room; the spectators' chat is closed; a guest in
  // the spectators' chat; no such line to report.
  'not_in_room', 'chat_closed', 'chat_needs_account', 'line_not_found',
  // Addition, an answer to `signal` only: the opponent has no socket in the room (or not that one).
  'peer_unavailable',
  // Addition, an answer to `takeback` only: the player made as many offers as a game allows.
  'too_many_takebacks',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const CLOSE = {
  badToken: 4401,
  helloTimeout: 4408,
  rateLimited: 4429,
  tooLarge: 1009,
  restarting: 1012,
} as const;

export interface StateMsg {
  t: 'state'; room: string; seq: number; status: RoomStatus;
  /** Addition: echoes the `id` of the `watch` it answers. */
  id?: string;
  white: SeatView | null; black: SeatView | null; fen: string; moves: string[];
  clock: Clock; tc: TimeControl; result?: Result | null; reason?: EndReason; pgn?: string;
  /** Addition: SAN of every move, so a client can show the move list without chess rules. */
  san?: string[];
  /** Addition: the side whose draw offer stands, if any. */
  drawOffer?: Side | null;
  /** Addition: the games of this room so far and their score. */
  series?: Series;
  /** Addition: after the end, the side (in the finished game) whose rematch offer stands, if any. */
  rematchOffer?: Side | null;
  /** Addition: a rated game (absent or false: casual). */
  rated?: boolean;
  /** Addition: after the end, the finished game's id (as in `ended`). */
  gameId?: string;
  /** Addition: the side whose takeback offer stands, if any. */
  takebackOffer?: Side | null;
  /** Addition: each side's lag at its last move of this game (as in `moved`), for the connection bars. */
  lag?: Partial<Record<Side, number>>;
}
export interface StartedMsg {
  t: 'started'; room: string; seq: number; white: SeatView; black: SeatView; fen: string; clock: Clock;
  /** Addition: the game's number in the room and the score of the games before it. */
  series?: Series;
  /** Addition: a rated game (absent or false: casual). */
  rated?: boolean;
  /** Addition: the game's time control (a joiner's page knows it only from here or `state`). */
  tc?: TimeControl;
}
export interface MovedMsg {
  t: 'moved'; room: string; seq: number; ply: number; uci: string; san: string; fen: string;
  clock: Clock; check: boolean; kind: MoveKind;
  /** Addition: the mover's estimated lag (ms, the round trip to the server): their connection's quality. */
  lag?: number;
}
export interface DrawOfferedMsg { t: 'draw_offered'; room: string; seq: number; by: Side }
/** Addition: the standing draw offer was declined (or withdrawn by a move). */
export interface DrawDeclinedMsg { t: 'draw_declined'; room: string; seq: number; by: Side }
export interface PresenceMsg {
  t: 'presence'; room: string; seq: number; color: Side; connected: boolean;
  reconnectVersion: number; graceMs?: number;
}
export interface EndedMsg {
  t: 'ended'; room: string; seq: number; result: Result | null; reason: EndReason; pgn: string; clock?: Clock;
  /** Addition: the score with this game counted. */
  series?: Series;
  /** Addition: the finished game's id, for GET /api/games/<gameId> once the finalizer stored it. */
  gameId?: string;
}
/** Addition: a waiting room was left by its creator, or expired, and is gone. */
export interface ClosedMsg { t: 'closed'; room: string; seq: number; reason: 'left' | 'expired' }

/** Addition: after the end, a player offers the next game (`by`: their side in the finished game). */
export interface RematchOfferedMsg { t: 'rematch_offered'; room: string; seq: number; by: Side }
/** Addition: the standing rematch offer is off: declined by `by`, or `by` left the room. */
export interface RematchDeclinedMsg { t: 'rematch_declined'; room: string; seq: number; by: Side; reason: 'declined' | 'left' }

/** Addition: `color` got more time from the opponent (moretime); the clock after it. */
export interface MoretimeMsg { t: 'moretime'; room: string; seq: number; color: Side; clock: Clock }
/** Addition: `by` asks to take back their last move; the opponent accepts or declines. */
export interface TakebackOfferedMsg { t: 'takeback_offered'; room: string; seq: number; by: Side }
export interface TakebackDeclinedMsg { t: 'takeback_declined'; room: string; seq: number; by: Side }
/** Addition: the takeback `by` asked for is done: `plies` undone; the game as it is now (moves, SAN, position, clock). */
export interface TakenBackMsg { t: 'taken_back'; room: string; seq: number; by: Side; plies: number; moves: string[]; san: string[]; fen: string; clock: Clock }

export type RoomEvent =
  | StateMsg | StartedMsg | MovedMsg | DrawOfferedMsg | DrawDeclinedMsg | PresenceMsg | EndedMsg | ClosedMsg
  | RematchOfferedMsg | RematchDeclinedMsg | MoretimeMsg | TakebackOfferedMsg | TakebackDeclinedMsg | TakenBackMsg;

export interface WelcomeMsg { t: 'welcome'; id?: string; playerId: string; name: string; serverTime: number }
export interface CreatedMsg { t: 'created'; id?: string; room: string; color: Side }
export interface JoinedMsg { t: 'joined'; id?: string; room: string; color: Side }
export interface PongMsg { t: 'pong'; id?: string; serverTime: number }
export interface ErrorMsg {
  t: 'error'; id?: string; code: ErrorCode; message: string;
  /** Addition: with `in_game`, the room of the game the player is in (to go back to it). */
  room?: string;
}

/** Addition: the player waits in a pool (answers `pool`; a new `pool` replaces the old wait). */
export interface PooledMsg { t: 'pooled'; id?: string; pool: PoolId; rated: boolean }
/** Addition: the player no longer waits (answers `unpool`, also when they were not waiting). */
export interface UnpooledMsg { t: 'unpooled'; id?: string }
/** Addition: the matchmaker found an opponent: seated in `room` as `color`; its `started` follows. */
export interface PairedMsg { t: 'paired'; room: string; color: Side; rated: boolean; pool?: PoolId; seek?: string; challenge?: string }

/** Addition: one open challenge in the lobby (a seek), as every visitor sees it. */
export interface SeekView { id: string; playerId: string; name: string; rating: number; tc: TimeControl; color: Side | 'random'; rated: boolean }
/** Addition: the lobby's open seeks, newest first: the answer to `lobby` and again whenever they change. */
export interface LobbyMsg { t: 'lobby'; id?: string; seeks: SeekView[] }
/** Addition: answers to `seek` and `unseek`. */
export interface SoughtMsg { t: 'sought'; id?: string; seek: string }
export interface UnsoughtMsg { t: 'unsought'; id?: string; seek: string }

/** Addition: who watches a room (not its players), on every gateway: sent to its audience when it changes. */
export interface CrowdMsg { t: 'crowd'; room: string; count: number; names: string[] }
/** Addition: a game in play as the live-games list (`GET /api/live`) shows it. */
export interface LiveGameView {
  room: string; white: { playerId: string; name: string; rating: number | null }; black: { playerId: string; name: string; rating: number | null };
  tc: TimeControl; rated: boolean; startedAt: number; watchers: number;
}

/** Addition: a challenge between two friends, as both see it (`color`: the challenger's choice). */
export interface ChallengeView {
  id: string; from: { playerId: string; name: string }; to: { playerId: string; name: string };
  tc: TimeControl; color: Side | 'random'; rated: boolean; since: number;
  /** When it lapses unanswered (ms): nobody is told then, each page drops it by itself. */
  until: number;
}
/** Addition: answers `challenge`: it stands, and the friend was told. */
export interface ChallengeSentMsg { t: 'challenge_sent'; id?: string; challenge: ChallengeView }
/** Addition: a friend challenges you (to every socket of yours, on any gateway). */
export interface ChallengeReceivedMsg { t: 'challenge_received'; challenge: ChallengeView }
/** Addition: a challenge is over (to every socket of both players): why, by its id. */
export interface ChallengeGoneMsg { t: 'challenge_gone'; id?: string; challenge: string; reason: 'accepted' | 'declined' | 'canceled' }
/** Addition: answers `challenges`: the open challenges to and from you, oldest first. */
export interface ChallengesMsg { t: 'challenges'; id?: string; incoming: ChallengeView[]; outgoing: ChallengeView[] }
/** Addition: which friends are online, and the room of the game each is playing: answers `friends` and again on every change. */
export interface FriendsMsg { t: 'friends'; id?: string; online: { playerId: string; playing?: string }[] }

/** Addition: the room's two chats: the seated players', and the spectators'. */
export type ChatChannel = 'players' | 'spectators';
/**
 * Addition: one chat line. `n` numbers the lines of one channel of one room from 1 (not a room
 * event: no `seq`); `by` is who said it. Sent to the channel's readers: the players' lines to the
 * seated players, the spectators' to the spectators.
 */
export interface ChatLine { room: string; channel: ChatChannel; n: number; by: { playerId: string; name: string }; text: string; at: number }
export interface SaidMsg extends ChatLine { t: 'said' }
/** Addition: answers `chat`: the socket's channel's lines after `after` (the last 100 at most), and whether spectators may chat. */
export interface ChatMsg { t: 'chat'; id?: string; room: string; channel: ChatChannel; lines: ChatLine[]; spectators: boolean }
/** Addition: answers `mute` (and `on: false`): whose lines this player no longer receives. */
export interface MutedMsg { t: 'muted'; id?: string; playerId: string; on: boolean }
/** Addition: answers `report`: the line and its context are stored for review. */
export interface ReportedMsg { t: 'reported'; id?: string; room: string; channel: ChatChannel; n: number }
/** Addition: the spectators' chat of a room opened or closed (to its whole audience). */
export interface ChatModeMsg { t: 'chat_mode'; id?: string; room: string; spectators: boolean }

/** Addition: WebRTC signalling from the opponent (`from`: their socket, to answer it with `to`). */
export interface SignalMsg {
  t: 'signal'; room: string; from: string; kind: 'offer' | 'answer' | 'candidate' | 'hangup';
  sdp?: string; candidate?: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null };
}
/** Addition: answers `ice`: STUN and TURN servers, the TURN credentials valid for `ttlS` seconds. */
export interface IceMsg { t: 'ice'; id?: string; iceServers: { urls: string[]; username?: string; credential?: string }[]; ttlS: number }

export type ServerMsg = RoomEvent | WelcomeMsg | CreatedMsg | JoinedMsg | PongMsg | ErrorMsg | PooledMsg | UnpooledMsg | PairedMsg
  | LobbyMsg | SoughtMsg | UnsoughtMsg | CrowdMsg | ChallengeSentMsg | ChallengeReceivedMsg | ChallengeGoneMsg | ChallengesMsg | FriendsMsg
  | SaidMsg | ChatMsg | MutedMsg | ReportedMsg | ChatModeMsg | SignalMsg | IceMsg;
export type { TimeControl };
