// Wire formats between our own processes (never seen by browsers):
//   gateway -> engine:   EngineCommand, on the command stream
//   engine  -> gateway:  GatewayDelivery, on each gateway's own event stream
//   engine  -> finalizer: GameRecord, on the finalize stream
// How each is laid out in its stream entry: wire/ (one codec per layout).
import type { Color, TimeControl } from './client.js';
import type { PoolId } from './pools.js';
import type { Clock, EndReason, Result, RoomEvent, ServerMsg, SignalMsg } from './server.js';

/** Who sent a command: the socket it came from and the player behind it. */
export interface Origin {
  gw: string;
  conn: string;
  playerId: string;
  name: string;
  /** The client frame's `id`, echoed in the direct answer. */
  id?: string;
  /** When the gateway received the frame (ms): clocks charge the mover up to here, not for time in the queue. */
  at?: number;
  /** Correlation id of this command ("<connection>.<n>"): in every log line about it, in every service. */
  cid?: string;
}

export type EngineCommand =
  | { t: 'create'; origin: Origin; tc: TimeControl; color: Color | 'random'; rated?: boolean }
  | { t: 'join'; origin: Origin; room: string }
  | { t: 'watch'; origin: Origin; room: string }
  /**
   * `lag`: the mover's estimated round trip between gateway and client (ms; the gateway's
   * measurement, or the client's claim bounded by it: gateway ws/lag-estimate.ts). The rules take up
   * to that much off the time charged, as the mover's quota allows (rooms rules/lag.ts). Absent
   * from gateways of earlier releases: no compensation.
   */
  | { t: 'move'; origin: Origin; room: string; uci: string; ply: number; lag?: number }
  | { t: 'resign'; origin: Origin; room: string }
  | { t: 'draw'; origin: Origin; room: string; action: 'offer' | 'accept' | 'decline' }
  | { t: 'abort'; origin: Origin; room: string }
  | { t: 'leave'; origin: Origin; room: string }
  /** 15 s more on the opponent's clock. */
  | { t: 'moretime'; origin: Origin; room: string }
  /** Ask to take back one's last move, or answer the opponent's ask. */
  | { t: 'takeback'; origin: Origin; room: string; action: 'offer' | 'accept' | 'decline' }
  /** After the end: offer, accept or decline the next game in the room. */
  | { t: 'rematch'; origin: Origin; room: string; action: 'offer' | 'accept' | 'decline' }
  /** WebRTC signalling from a seated player to the opponent's sockets (`to`: one of them); the room checks who may. */
  | { t: 'signal'; origin: Origin; room: string; to?: string; kind: SignalMsg['kind']; sdp?: string; candidate?: SignalMsg['candidate'] }
  /** `hello` with `resume`: reattach this socket to the room and replay what it missed. */
  | { t: 'resume'; origin: Origin; room: string; seq: number }
  /**
   * Two players to seat in a new room with the clock running (packages/pairing): the matchmaker
   * paired them in `pool`, or `opponent` accepted `origin`'s `seek`. `color` is `origin`'s colour
   * (a seek's or challenge's choice); without it the engine draws the colours. With `room` (an
   * accepted challenge: the two friends' own room, room-code.ts's pairRoomCode) the game is played
   * there: the room is made if it is gone, or its next game starts if its last one ended.
   */
  | {
      t: 'pair'; origin: Origin; opponent: Origin; tc: TimeControl; rated: boolean; pool?: PoolId; seek?: string; color?: Color;
      challenge?: string; room?: string;
    }
  /** The socket closed (or the gateway drains): the seat's grace period starts. */
  | { t: 'disconnect'; origin: Origin; room: string };

export type EngineCommandType = EngineCommand['t'];

/**
 * The most lag one move is credited with (ms), and the longest a fallen flag waits for a move still
 * on its way (scalachess gives a flag the same 2 s at most). A longer round trip is a broken
 * connection, not lag: the reconnect grace is for that.
 */
export const MAX_LAG_MS = 2_000;

/**
 * One entry on a gateway's event stream. A room event is written as the fields
 * `room <room> type <type> [ply <n>] event <event JSON>` so the gateway can send the text as it is;
 * the others as `delivery <GatewayDelivery JSON>` (the layouts: wire/gateway-events.ts).
 */
export type GatewayDelivery =
  /** A room event (its JSON text, as sockets receive it): send to every local socket in the room. */
  | { k: 'room'; room: string; t: RoomEvent['t']; ply?: number; text: string }
  /**
   * An answer for one socket; `sub` adds the socket to the room's audience first (`watch`: as a
   * spectator, counted in the room's crowd), `unsub` removes it.
   */
  | { k: 'conn'; conn: string; msg: ServerMsg; sub?: string; unsub?: string; watch?: true }
  /** Resume: the events this socket missed, in order; the socket joins the room's audience (`watch`: as a spectator). */
  | { k: 'replay'; conn: string; room: string; events: RoomEvent[]; watch?: true }
  /**
   * A message for a room's audience that is not a room event (a chat line, the chat's mode): only
   * its players or only its spectators (`to`), never to sockets whose player muted `by`, nor to
   * the socket `except` (it had its answer).
   */
  | { k: 'audience'; room: string; msg: ServerMsg; to?: 'players' | 'spectators'; by?: string; except?: string }
  /**
   * Every gateway's share of a room's crowd (encoded CrowdShares, wire/live.ts), sent to the room's
   * gateways when one of them changed its share: each tells its own audience the total.
   */
  | { k: 'crowd'; room: string; shares: string[] };

export interface PlayerRef { playerId: string; name: string }

/** Everything the finalizer needs to store one finished game. */
export interface GameRecord {
  gameId: string;
  room: string;
  white: PlayerRef;
  black: PlayerRef;
  result: Result | null;
  reason: EndReason;
  winner: Color | null;
  uci: string[];
  san: string[];
  fens: string[];
  pgn: string;
  tc: TimeControl;
  clock: Clock;
  /** Milliseconds each side had left after each ply (index = ply - 1). */
  clockHistory: number[];
  /**
   * Each ply's estimated lag of the mover (ms), and the compensation the clock gave for it (at most
   * the lag, as the quota allowed: rooms rules/lag.ts), index = ply - 1. Absent in records from
   * before lag compensation; 0 for plies an earlier release played.
   */
  lagHistory?: number[];
  compHistory?: number[];
  startedAt: number;
  endedAt: number;
  /** Correlation id of the command that ended the game (absent when a deadline ended it). */
  cid?: string;
  /** A rated game (both players signed in); absent in casual games and in records from before ratings. */
  rated?: boolean;
}
