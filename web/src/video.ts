// Video and voice between the two seated players: the call's state machine, owned by LiveGame like
// chat.ts (so live.ts stays about the game). The server only carries `signal` frames between the
// two (an offer, its answer, ICE candidates, a hangup) and hands out TURN credentials (`ice`); the
// request/accept handshake is built on those: the caller sends its offer once its camera runs, the
// opponent's page rings, and Accept starts their camera and sends the answer (Decline: a hangup).
// The media flows browser to browser, or through the TURN relay. Nothing here touches the game: a
// failed call only leaves a note in the panel.
import type { ClientFrame, ErrorMsg, IceMsg, ServerMsg, Side, SignalMsg } from '@gambit/protocol';
import { errorText } from './errors.js';
import type { LiveGame } from './live.js';

export type Phase = 'idle' | 'starting' | 'calling' | 'ringing' | 'answering' | 'connecting' | 'connected';
/** Why the last call ended: the panel says it (errors.ts callEndText) until the next call. */
export type CallEnd = 'ended' | 'hung-up' | 'cancelled' | 'declined' | 'no-answer' | 'missed' | 'left' | 'failed'
  | 'no-device' | 'denied' | 'media' | 'unsupported' | 'offline' | 'refused';

/** A call nobody answers stops ringing after this (the callee's page waits a little longer). */
export const RING_MS = 45_000;
/** Answered, yet no media path after this: the connection failed (ICE may sit in `checking` for long). */
export const CONNECT_MS = 30_000;
/** How long the `ice` answer may take. */
export const ICE_WAIT_MS = 10_000;
/** localStorage key: '1' forces every call through the TURN relay (debugging, tests; so does ?relay=1). */
export const RELAY_KEY = 'gambit.video.relay';

const MEDIA: MediaStreamConstraints = { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' } };

export type VideoServerMsg = SignalMsg | IceMsg;
export const isVideoMsg = (msg: ServerMsg): msg is VideoServerMsg => msg.t === 'signal' || msg.t === 'ice';

/** What getUserMedia's refusal means to the player. */
export function mediaErrorReason(err: unknown): CallEnd {
  const name = err instanceof Error || (typeof err === 'object' && err !== null && 'name' in err) ? String((err as { name: unknown }).name) : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'no-device';
  return 'media';
}

/** The relay switch: `?relay=1` in the page's first URL, or the localStorage key. */
export function relayForced(search: string, storage: Pick<Storage, 'getItem'> | null): boolean {
  if (new URLSearchParams(search).get('relay') === '1') return true;
  try {
    return storage?.getItem(RELAY_KEY) === '1';
  } catch {
    return false; // storage disabled
  }
}

type Stat = Record<string, unknown>;
/** The part of an RTCStatsReport read here (a Map in the unit tests). */
export interface StatsLike { forEach(fn: (s: Stat) => void): void; get(id: string): Stat | undefined }

/**
 * Whether the connection's selected candidate pair sends through a TURN relay (our side's candidate
 * is a `relay` one); null while there is no selected pair. Chrome and Safari name it on the
 * transport; Firefox marks the pair `selected`; a nominated, succeeded pair is the fallback.
 */
export function relayOf(stats: StatsLike): boolean | null {
  let pair: Stat | undefined;
  stats.forEach((s) => {
    if (!pair && s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pair = stats.get(s.selectedCandidatePairId);
  });
  stats.forEach((s) => {
    if (!pair && s.type === 'candidate-pair' && (s.selected === true || (s.nominated === true && s.state === 'succeeded'))) pair = s;
  });
  const local = typeof pair?.localCandidateId === 'string' ? stats.get(pair.localCandidateId) : undefined;
  return local ? local.candidateType === 'relay' : null;
}

export interface VideoDeps {
  /** Absent where the page may not use cameras (no WebRTC, or not a secure page). */
  getUserMedia?: (c: MediaStreamConstraints) => Promise<MediaStream>;
  peerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
  relayForced(): boolean;
}

function browserDeps(): VideoDeps {
  const media = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  const rtc = typeof RTCPeerConnection === 'undefined' ? undefined : RTCPeerConnection;
  // The URL is read once: the router drops the query when the page moves on.
  const search = typeof location === 'undefined' ? '' : location.search;
  let storage: Storage | null = null;
  try {
    storage = typeof localStorage === 'undefined' ? null : localStorage;
  } catch { /* disabled */ }
  return {
    getUserMedia: media?.getUserMedia ? (c) => media.getUserMedia(c) : undefined,
    peerConnection: rtc ? (config) => new rtc(config) : undefined,
    relayForced: () => relayForced(search, storage),
  };
}

type Candidate = NonNullable<SignalMsg['candidate']>;

interface Call {
  readonly room: string;
  role: 'caller' | 'callee';
  /** The opponent's socket in this call: the offer's sender, or the answer's. Null while a caller waits. */
  peer: string | null;
  /** The callee's: the offer to answer on Accept. */
  offer: string | null;
  pc: RTCPeerConnection | null;
  /** The remote description is set: candidates may be added. */
  remoteSet: boolean;
  /** The peer knows this call (it answered, or we did): our candidates may go to it. */
  linked: boolean;
  /** The opponent's candidates that came before the remote description (perfect negotiation's queue). */
  inbox: { from: string; candidate: Candidate }[];
  /** Our candidates gathered before the peer was known. */
  outbox: Candidate[];
  /** The offer has gone out (a hangup then has someone to tell). */
  offered: boolean;
  timer?: ReturnType<typeof setTimeout>;
  reported: Set<string>;
}

type Host = Pick<LiveGame, 'conn' | 'frameId' | 'render' | 'view'>;

const otherSide = (s: Side): Side => (s === 'white' ? 'black' : 'white');

class IceRefused extends Error {
  constructor(readonly code: string | null) {
    super(code ?? 'no answer');
  }
}

export class Video {
  phase: Phase = 'idle';
  /** Why the last call ended (null: nothing to say). */
  reason: CallEnd | null = null;
  /** With reason `refused`: the server's refusal as a sentence. */
  detail: string | null = null;
  local: MediaStream | null = null;
  remote: MediaStream | null = null;
  camera = true;
  mic = true;
  /** Connected through a TURN relay (null: not known, or not connected). */
  relay: boolean | null = null;
  private call: Call | null = null;
  /** `ice` frames on their way, by frame id. */
  private readonly iceWaits = new Map<string, { resolve: (m: IceMsg) => void; reject: (e: IceRefused) => void }>();
  /** Offer and answer frames on their way, by id: their refusal ends that call. */
  private readonly vital = new Map<string, Call>();

  constructor(private readonly host: Host, private readonly deps: VideoDeps = browserDeps()) {}

  /** This page's peer connection (the browser test reads its stats). */
  get pc(): RTCPeerConnection | null {
    return this.call?.pc ?? null;
  }

  /** A seated player whose opponent has a seat: the panel is theirs. */
  get available(): boolean {
    const v = this.host.view;
    return v.room !== null && v.color !== null && v[otherSide(v.color)] !== null && v.status !== 'none';
  }

  /** The opponent is here to take a call (connected, not gone from a finished game's room). */
  get reachable(): boolean {
    return this.available && !this.opponentAway() && !this.host.view.rematchClosed;
  }

  // ---- the player's actions ----

  async start(): Promise<void> {
    const room = this.host.view.room;
    if (this.phase !== 'idle' || !this.reachable || !room) return; // idle: no call
    const call = this.begin(room, 'caller', 'starting');
    const stream = await this.prepare(call);
    if (!stream) return;
    const pc = call.pc!;
    for (const t of stream.getTracks()) pc.addTrack(t, stream);
    try {
      await pc.setLocalDescription(await pc.createOffer());
    } catch {
      return this.fail(call, 'failed');
    }
    if (this.call !== call) return;
    // To all the opponent's sockets: whichever answers is the peer.
    if (!this.signal(call, { kind: 'offer', sdp: pc.localDescription!.sdp }, true)) return this.end('offline');
    call.offered = true;
    this.phase = 'calling';
    this.arm(call, RING_MS, () => this.end('no-answer', true));
    this.host.render();
  }

  async accept(): Promise<void> {
    const call = this.call;
    if (!call || this.phase !== 'ringing' || call.offer === null) return;
    const offer = call.offer;
    this.phase = 'answering';
    clearTimeout(call.timer);
    this.host.render();
    const stream = await this.prepare(call);
    if (!stream) return;
    const pc = call.pc!;
    try {
      // The offer first, then our tracks: they take the offer's transceivers.
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      if (this.call !== call) return;
      call.remoteSet = true;
      for (const t of stream.getTracks()) pc.addTrack(t, stream);
      await pc.setLocalDescription(await pc.createAnswer());
    } catch {
      return this.fail(call, 'failed');
    }
    if (this.call !== call) return;
    if (!this.signal(call, { kind: 'answer', sdp: pc.localDescription!.sdp }, true)) return this.end('offline');
    this.link(call);
    this.phase = 'connecting';
    this.arm(call, CONNECT_MS, () => this.fail(call, 'failed'));
    this.host.render();
  }

  decline(): void {
    if (this.phase === 'ringing') this.end(null, true);
  }

  hangup(): void {
    if (this.call) this.end('ended', true);
  }

  /** The page or the game screen goes away: the call ends without a note. */
  leave(): void {
    if (this.call) this.end(null, true);
  }

  // Tracks are switched on and off, never removed: no renegotiation, the other side sees black or hears nothing.
  toggleCamera(): void {
    this.camera = !this.camera;
    for (const t of this.local?.getVideoTracks() ?? []) t.enabled = this.camera;
    this.host.render();
  }

  toggleMic(): void {
    this.mic = !this.mic;
    for (const t of this.local?.getAudioTracks() ?? []) t.enabled = this.mic;
    this.host.render();
  }

  // ---- from LiveGame ----

  handle(msg: VideoServerMsg): void {
    if (msg.t === 'ice') {
      const wait = msg.id === undefined ? undefined : this.iceWaits.get(msg.id);
      return wait?.resolve(msg);
    }
    const v = this.host.view;
    if (msg.room !== v.room || !v.color) return; // not a call of the shown game's players
    switch (msg.kind) {
      case 'offer': return this.onOffer(msg);
      case 'answer': return void this.onAnswer(msg);
      case 'candidate': return this.onCandidate(msg);
      case 'hangup': return this.onHangup(msg);
    }
  }

  /** An error answer to a call's frame: true when it is ours (the panel says it; no toast). */
  failed(msg: ErrorMsg): boolean {
    const id = msg.id ?? '';
    const wait = this.iceWaits.get(id);
    if (wait) {
      wait.reject(new IceRefused(msg.code));
      return true;
    }
    if (!id.startsWith('signal-')) return false;
    // A candidate or hangup that found nobody changes nothing; a refused offer or answer ends the call.
    const call = this.vital.get(id);
    this.vital.delete(id);
    if (call && call === this.call) {
      this.detail = errorText(msg.code, call.room, 'signal');
      this.end('refused');
    }
    return true;
  }

  /** After every change of the game: a call ends when we leave the room or the opponent is gone. */
  sync(): void {
    const call = this.call;
    if (!call) return;
    const v = this.host.view;
    if (v.room !== call.room || !v.color) return this.end(null, true);
    const opponent = v[otherSide(v.color)];
    const away = !opponent || !opponent.connected || v.rematchClosed;
    if (!away) return;
    // Before the media flows, a gone opponent ends it; after, only once the media stops too (their
    // socket may come back while the call runs on).
    const ice = call.pc?.iceConnectionState;
    if (v.rematchClosed || (this.phase !== 'connected' && this.phase !== 'starting') || ice === 'disconnected' || ice === 'failed') this.end('left', true);
  }

  // ---- signals ----

  private onOffer(msg: SignalMsg): void {
    const call = this.call;
    if (call && call.role === 'caller' && (this.phase === 'starting' || this.phase === 'calling')) {
      // Both pressed Start: White's call stands, Black gives way and answers it.
      if (this.host.view.color === 'white') return;
      this.end(null);
      this.ring(msg);
      void this.accept();
      return;
    }
    if (call && this.phase === 'ringing') {
      call.peer = msg.from; // the caller offered again (another tab, a reload): the newest counts
      call.offer = msg.sdp ?? null;
      return;
    }
    if (call) {
      if (msg.from === call.peer) return; // we never renegotiate
      this.end(null, true); // the opponent calls anew from another socket: that call replaces this one
    }
    this.ring(msg);
  }

  private ring(msg: SignalMsg): void {
    if (msg.sdp === undefined) return;
    const call = this.begin(msg.room, 'callee', 'ringing');
    call.peer = msg.from;
    call.offer = msg.sdp;
    // Another tab of ours may have answered: this one stops ringing after the caller gave up.
    this.arm(call, RING_MS + 5_000, () => this.end('missed'));
    this.host.render();
  }

  private async onAnswer(msg: SignalMsg): Promise<void> {
    const call = this.call;
    if (!call || call.role !== 'caller' || this.phase !== 'calling' || call.peer !== null || !call.pc || msg.sdp === undefined) return;
    call.peer = msg.from;
    this.phase = 'connecting';
    this.arm(call, CONNECT_MS, () => this.fail(call, 'failed'));
    this.host.render();
    try {
      await call.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
    } catch {
      return this.fail(call, 'failed');
    }
    if (this.call !== call) return;
    call.remoteSet = true;
    this.link(call);
  }

  private onCandidate(msg: SignalMsg): void {
    const call = this.call;
    if (!call || !msg.candidate || (call.peer !== null && msg.from !== call.peer)) return;
    if (call.pc && call.remoteSet) return this.addCandidate(call, msg.candidate);
    if (call.inbox.length < 100) call.inbox.push({ from: msg.from, candidate: msg.candidate });
  }

  private onHangup(msg: SignalMsg): void {
    const call = this.call;
    if (!call || this.phase === 'starting' || (call.peer !== null && msg.from !== call.peer)) return;
    this.end(this.phase === 'calling' ? 'declined' : this.phase === 'ringing' ? 'cancelled' : 'hung-up');
  }

  /** The peer is known on both sides: queued candidates go both ways. */
  private link(call: Call): void {
    call.linked = true;
    for (const { from, candidate } of call.inbox.splice(0)) if (from === call.peer) this.addCandidate(call, candidate);
    for (const c of call.outbox.splice(0)) this.signal(call, { kind: 'candidate', candidate: c });
  }

  private addCandidate(call: Call, c: Candidate): void {
    // A candidate the browser cannot use (another network's, malformed) is skipped; ICE goes on with the rest.
    call.pc?.addIceCandidate(c).catch(() => undefined);
  }

  // ---- the call's life ----

  private begin(room: string, role: Call['role'], phase: Phase): Call {
    this.call = {
      room, role, peer: null, offer: null, pc: null, remoteSet: false, linked: false, inbox: [], outbox: [], offered: false, reported: new Set(),
    };
    this.phase = phase;
    this.reason = this.detail = null;
    this.relay = null;
    this.camera = this.mic = true;
    this.host.render();
    return this.call;
  }

  /** Camera and microphone, and the ICE servers, then the peer connection; null when the call ended instead. */
  private async prepare(call: Call): Promise<MediaStream | null> {
    const { getUserMedia, peerConnection } = this.deps;
    if (!getUserMedia || !peerConnection) {
      this.end('unsupported', true);
      return null;
    }
    const [media, ice] = await Promise.allSettled([getUserMedia(MEDIA), this.askIce()]);
    if (this.call !== call) {
      if (media.status === 'fulfilled') stopTracks(media.value);
      return null;
    }
    if (media.status === 'rejected') {
      this.end(mediaErrorReason(media.reason), true);
      return null;
    }
    this.local = media.value;
    if (ice.status === 'rejected') {
      const code = ice.reason instanceof IceRefused ? ice.reason.code : null;
      if (code) this.detail = errorText(code, call.room, 'ice');
      this.end(code ? 'refused' : 'offline', true);
      return null;
    }
    let pc: RTCPeerConnection;
    try {
      pc = peerConnection({ iceServers: ice.value.iceServers, iceTransportPolicy: this.deps.relayForced() ? 'relay' : 'all' });
    } catch {
      this.end('unsupported', true);
      return null;
    }
    call.pc = pc;
    pc.onicecandidate = (e) => {
      if (this.call !== call || !e.candidate || !e.candidate.candidate) return;
      const { candidate, sdpMid, sdpMLineIndex } = e.candidate;
      const c: Candidate = { candidate, sdpMid: sdpMid ?? null, sdpMLineIndex: sdpMLineIndex ?? null };
      if (call.linked) this.signal(call, { kind: 'candidate', candidate: c });
      else call.outbox.push(c);
    };
    pc.ontrack = (e) => {
      if (this.call !== call || !e.streams[0]) return;
      this.remote = e.streams[0];
      this.host.render();
    };
    pc.oniceconnectionstatechange = () => this.iceChanged(call);
    this.report(call, 'started');
    this.host.render();
    return media.value;
  }

  private iceChanged(call: Call): void {
    const pc = call.pc;
    if (this.call !== call || !pc) return;
    const state = pc.iceConnectionState;
    if (state === 'connected' || state === 'completed') {
      if (this.phase === 'connected') return;
      this.phase = 'connected';
      clearTimeout(call.timer);
      this.host.render();
      void this.measure(call);
    } else if (state === 'failed') {
      this.fail(call, this.opponentAway() ? 'left' : 'failed');
    } else if (state === 'disconnected') {
      this.sync(); // the media stopped: if the opponent's socket went too, they left
    }
  }

  /** Relay or not, from the selected candidate pair: for the panel and the `connected` report. */
  private async measure(call: Call): Promise<void> {
    let relay: boolean | null = null;
    // The selected pair may show up in the stats a moment after `connected`: a second look then.
    for (let tries = 0; relay === null && tries < 2 && this.call === call; tries++) {
      if (tries) await new Promise((r) => setTimeout(r, 1_000));
      try {
        relay = relayOf((await call.pc!.getStats()) as unknown as StatsLike);
      } catch { /* closed meanwhile */ }
    }
    if (this.call !== call) return;
    this.relay = relay;
    this.report(call, 'connected', relay ?? false);
    this.host.render();
  }

  private fail(call: Call, reason: CallEnd): void {
    if (this.call !== call) return;
    this.report(call, 'failed');
    this.end(reason, true);
  }

  /** Ends the call: `tell` sends a hangup (to the peer, or to every socket of the opponent that heard our offer). */
  private end(reason: CallEnd | null, tell = false): void {
    const call = this.call;
    if (!call) return;
    if (tell && (call.peer !== null || call.offered)) this.signal(call, { kind: 'hangup' });
    clearTimeout(call.timer);
    this.call = null;
    if (call.pc) {
      call.pc.onicecandidate = call.pc.ontrack = call.pc.oniceconnectionstatechange = null;
      call.pc.close();
    }
    stopTracks(this.local);
    this.local = this.remote = null;
    this.relay = null;
    this.phase = 'idle';
    this.reason = reason;
    if (reason !== 'refused') this.detail = null;
    this.host.render();
  }

  private arm(call: Call, ms: number, fn: () => void): void {
    clearTimeout(call.timer);
    call.timer = setTimeout(() => {
      if (this.call === call) fn();
    }, ms);
  }

  private opponentAway(): boolean {
    const v = this.host.view;
    const o = v.color ? v[otherSide(v.color)] : null;
    return !o || !o.connected;
  }

  // ---- frames ----

  /** A `signal` of this call, to its peer once known; false when the socket is down. */
  private signal(call: Call, s: Pick<Extract<ClientFrame, { t: 'signal' }>, 'kind' | 'sdp' | 'candidate'>, vital = false): boolean {
    const id = this.host.frameId('signal');
    const frame: Extract<ClientFrame, { t: 'signal' }> = { t: 'signal', id, room: call.room, ...s };
    if (call.peer !== null) frame.to = call.peer;
    if (!this.host.conn.send(frame)) return false;
    if (vital) {
      this.vital.set(id, call);
      if (this.vital.size > 10) this.vital.delete(this.vital.keys().next().value!);
    }
    return true;
  }

  private report(call: Call, state: 'started' | 'connected' | 'failed', relay?: boolean): void {
    // Once per call and state: the metrics count calls, not page events.
    if (call.reported.has(state)) return;
    call.reported.add(state);
    this.host.conn.send({ t: 'video', room: call.room, state, ...(relay === undefined ? {} : { relay }) });
  }

  private askIce(): Promise<IceMsg> {
    const id = this.host.frameId('ice');
    return new Promise<IceMsg>((resolve, reject) => {
      const timer = setTimeout(() => done(() => reject(new IceRefused(null))), ICE_WAIT_MS);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.iceWaits.delete(id);
        fn();
      };
      this.iceWaits.set(id, { resolve: (m) => done(() => resolve(m)), reject: (e) => done(() => reject(e)) });
      if (!this.host.conn.send({ t: 'ice', id })) done(() => reject(new IceRefused(null)));
    });
  }
}

function stopTracks(stream: MediaStream | null): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
}
