// One socket's part in video calls that the gateway answers itself: the ICE servers with this
// player's TURN credentials (ws/turn.ts), and the page's report of how a call went (metrics only:
// whether a call connected, and through a TURN relay, is known in the browser alone). The offers,
// answers and candidates themselves go through the room (`signal`, rules/signal.ts).
import type { ClientFrame, ServerMsg } from '@gambit/protocol';
import type { Identity } from '@gambit/common';
import type { GatewayMetrics } from '../metrics.js';
import { iceServers, type TurnSettings } from './turn.js';
import { withId } from './commands.js';

export interface VideoDeps {
  turn: TurnSettings;
  metrics: Pick<GatewayMetrics, 'videoSessions' | 'videoRelayed'>;
}

export type VideoFrame = Extract<ClientFrame, { t: 'ice' | 'video' }>;

export class Video {
  /** Each state counted once per room and socket (a page that repeats itself is not many calls). */
  private readonly reported = new Set<string>();

  /** `seatedIn`: the rooms this socket is in as a player (video is for the two players only). */
  constructor(
    private readonly deps: VideoDeps,
    private readonly socket: { send(msg: ServerMsg): void; error(code: 'not_a_player', message: string, id?: string): void; seatedIn(): string[] },
  ) {}

  handle(frame: VideoFrame, me: Identity): void {
    const seated = this.socket.seatedIn();
    if (frame.t === 'ice') {
      // TURN relays for players in a game only: coturn is no open relay for whoever connects.
      if (seated.length === 0) return this.socket.error('not_a_player', 'video calls are for the players of a game: sit down first', frame.id);
      return this.socket.send(withId({ t: 'ice', ...iceServers(this.deps.turn, me.playerId, Date.now()) }, frame.id));
    }
    // Only about a room this socket plays in; counted, never answered.
    const key = `${frame.room} ${frame.state}`;
    if (!seated.includes(frame.room) || this.reported.has(key) || this.reported.size > 100) return;
    this.reported.add(key);
    this.deps.metrics.videoSessions.inc({ state: frame.state });
    if (frame.state === 'connected' && frame.relay) this.deps.metrics.videoRelayed.inc();
  }
}
