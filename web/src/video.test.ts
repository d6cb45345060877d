// The video call's state machine with a fake browser (camera, peer connection) and a fake socket:
// the caller's offer only after its camera runs, the callee's Accept and Decline, candidates held
// until each side can use them, the browser's refusals and a failed connection as notes, glare
// (both pressed Start), the switches that never renegotiate, the relay switch and the stats that
// tell a relayed call; and the server's refusals.
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import type { ClientFrame, SignalMsg } from '@gambit/protocol';
import { callEndText } from './errors.js';
import { CONNECT_MS, mediaErrorReason, RELAY_KEY, relayForced, relayOf, RING_MS, Video, type VideoDeps } from './video.js';

const ROOM = 'K7M2QX9P';

class FakeTrack {
  enabled = true;
  stopped = false;
  constructor(readonly kind: 'audio' | 'video') {}
  stop() {
    this.stopped = true;
  }
}

class FakeStream {
  readonly tracks = [new FakeTrack('audio'), new FakeTrack('video')];
  getTracks = () => this.tracks;
  getAudioTracks = () => this.tracks.filter((t) => t.kind === 'audio');
  getVideoTracks = () => this.tracks.filter((t) => t.kind === 'video');
}

class FakePC {
  /** What happened to it, in order. */
  readonly log: string[] = [];
  readonly added: unknown[] = [];
  localDescription: { type: string; sdp: string } | null = null;
  iceConnectionState = 'new';
  closed = false;
  stats = new Map<string, Record<string, unknown>>();
  onicecandidate: ((e: unknown) => void) | null = null;
  ontrack: ((e: unknown) => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  constructor(readonly config: RTCConfiguration) {}
  addTrack(t: FakeTrack) {
    this.log.push(`track ${t.kind}`);
  }
  createOffer = async () => ({ type: 'offer', sdp: 'offer-sdp' });
  createAnswer = async () => ({ type: 'answer', sdp: 'answer-sdp' });
  async setLocalDescription(d: { type: string; sdp: string }) {
    this.log.push(`local ${d.type}`);
    this.localDescription = d;
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    this.log.push(`remote ${d.type} ${d.sdp}`);
  }
  async addIceCandidate(c: unknown) {
    this.added.push(c);
  }
  getStats = async () => this.stats;
  close() {
    this.closed = true;
  }
  /** The browser found a candidate of ours. */
  gather(candidate: string) {
    this.onicecandidate?.({ candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } });
  }
  ice(state: string) {
    this.iceConnectionState = state;
    this.oniceconnectionstatechange?.();
  }
}

/** Every Video made: hung up after each test (their timers would keep jest waiting). */
const made: Video[] = [];

const seat = (name: string) => ({ playerId: `g_${name}`, name, connected: true, graceUntil: null });

/** A Video for a player of ROOM, with the fake camera (`media` decides getUserMedia's outcome) and socket. */
function setup(color: 'white' | 'black' = 'white', media: (c?: MediaStreamConstraints) => Promise<unknown> = async () => new FakeStream(), relay = false) {
  const sent: ClientFrame[] = [];
  const pcs: FakePC[] = [];
  let n = 0;
  const host = {
    view: { room: ROOM as string | null, color, status: 'active', white: seat('wes'), black: seat('bea'), rematchClosed: false },
    conn: { send: (f: ClientFrame) => (sent.push(f), true) },
    frameId: (k: string) => `${k}-${++n}`,
    render: () => video.sync(), // as LiveGame does
  };
  const gum = jest.fn(media);
  const deps = {
    getUserMedia: gum,
    peerConnection: (config: RTCConfiguration) => {
      const pc = new FakePC(config);
      pcs.push(pc);
      return pc;
    },
    relayForced: () => relay,
  } as unknown as VideoDeps;
  const video: Video = new Video(host as unknown as ConstructorParameters<typeof Video>[0], deps);
  made.push(video);
  const signals = () => sent.filter((f): f is Extract<ClientFrame, { t: 'signal' }> => f.t === 'signal');
  const reports = () => sent.filter((f) => f.t === 'video').map((f) => ({ ...f }));
  /** Answers the pending `ice` frame. */
  const answerIce = () => {
    const ask = sent.findLast((f) => f.t === 'ice');
    video.handle({ t: 'ice', id: ask!.id!, iceServers: [{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'c' }], ttlS: 600 });
  };
  return { video, sent, pcs, host, gum, signals, reports, answerIce };
}

const signal = (kind: SignalMsg['kind'], from: string, extra: Partial<SignalMsg> = {}): SignalMsg => ({ t: 'signal', room: ROOM, from, kind, ...extra });
const cand = (c: string) => ({ candidate: c, sdpMid: '0', sdpMLineIndex: 0 });
/** Lets the awaited steps (media, descriptions) run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

/** A caller whose offer is out. */
async function calling(s = setup()) {
  const started = s.video.start();
  s.answerIce();
  await started;
  return { ...s, pc: s.pcs[0]! };
}

/** A callee whose answer is out (after Accept). */
async function answered(s = setup('black')) {
  s.video.handle(signal('offer', 'wsock', { sdp: 'offer-sdp' }));
  const accepted = s.video.accept();
  s.answerIce();
  await accepted;
  return { ...s, pc: s.pcs[0]! };
}

afterEach(() => {
  for (const v of made.splice(0)) v.leave();
  jest.useRealTimers();
});

describe('a video call in the page', () => {
  test('the caller: camera and ICE servers first, then the offer to all the opponent\'s sockets; candidates held until each side can use them', async () => {
    const s = setup();
    const started = s.video.start();
    expect(s.video.phase).toBe('starting');
    expect(s.gum).toHaveBeenCalledWith(expect.objectContaining({ audio: true, video: expect.anything() }));
    expect(s.signals()).toEqual([]); // no offer before the camera runs
    s.answerIce();
    await started;
    const pc = s.pcs[0]!;
    expect(pc.config).toEqual({ iceServers: [{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'c' }], iceTransportPolicy: 'all' });
    expect(pc.log).toEqual(['track audio', 'track video', 'local offer']);
    expect(s.video.phase).toBe('calling');
    expect(s.signals()).toEqual([{ t: 'signal', id: expect.any(String), room: ROOM, kind: 'offer', sdp: 'offer-sdp' }]); // no `to`
    expect(s.reports()).toEqual([{ t: 'video', room: ROOM, state: 'started' }]);

    // Ours before the answer: held (whose socket answers is not known yet).
    pc.gather('c-ours-1');
    expect(s.signals()).toHaveLength(1);
    // The answer; the opponent's candidate arrives while its description is still being set: queued.
    s.video.handle(signal('answer', 'bsock', { sdp: 'answer-sdp' }));
    s.video.handle(signal('candidate', 'bsock', { candidate: cand('c-theirs-1') }));
    s.video.handle(signal('candidate', 'other-tab', { candidate: cand('c-stray') })); // not the peer: dropped
    expect(pc.added).toEqual([]);
    await settle();
    expect(pc.log.at(-1)).toBe('remote answer answer-sdp');
    expect(pc.added).toEqual([cand('c-theirs-1')]);
    pc.gather('c-ours-2');
    expect(s.signals().slice(1)).toEqual([
      { t: 'signal', id: expect.any(String), room: ROOM, to: 'bsock', kind: 'candidate', candidate: cand('c-ours-1') },
      { t: 'signal', id: expect.any(String), room: ROOM, to: 'bsock', kind: 'candidate', candidate: cand('c-ours-2') },
    ]);
    s.video.handle(signal('candidate', 'bsock', { candidate: cand('c-theirs-2') }));
    expect(pc.added).toHaveLength(2);

    // Connected through a relay: the selected pair's local candidate says so; reported once.
    expect(s.video.phase).toBe('connecting');
    pc.stats = new Map(Object.entries({
      T: { type: 'transport', selectedCandidatePairId: 'P' }, P: { type: 'candidate-pair', localCandidateId: 'L' }, L: { type: 'local-candidate', candidateType: 'relay' },
    }));
    pc.ice('connected');
    pc.ice('completed');
    await settle();
    expect(s.video.phase).toBe('connected');
    expect(s.video.relay).toBe(true);
    expect(s.reports()).toEqual([{ t: 'video', room: ROOM, state: 'started' }, { t: 'video', room: ROOM, state: 'connected', relay: true }]);

    // The opponent hangs up: everything stops, the note says who.
    const stream = s.video.local as unknown as FakeStream;
    s.video.handle(signal('hangup', 'bsock'));
    expect(s.video.phase).toBe('idle');
    expect(s.video.reason).toBe('hung-up');
    expect(callEndText(s.video.reason, 'bea')).toBe('bea hung up');
    expect(pc.closed).toBe(true);
    expect(stream.tracks.every((t) => t.stopped)).toBe(true);
    expect(s.video.pc).toBeNull();
  });

  test('the callee rings; Accept starts the camera and answers the offering socket; Decline tells the caller', async () => {
    const s = setup('black');
    s.video.handle(signal('offer', 'wsock', { sdp: 'offer-sdp' }));
    s.video.handle(signal('candidate', 'wsock', { candidate: cand('c-early') }));
    expect(s.video.phase).toBe('ringing');
    expect(s.gum).not.toHaveBeenCalled(); // no camera before Accept
    const accepted = s.video.accept();
    expect(s.video.phase).toBe('answering');
    s.answerIce();
    await accepted;
    const pc = s.pcs[0]!;
    expect(pc.log).toEqual(['remote offer offer-sdp', 'track audio', 'track video', 'local answer']);
    expect(pc.added).toEqual([cand('c-early')]);
    expect(s.signals()).toEqual([{ t: 'signal', id: expect.any(String), room: ROOM, to: 'wsock', kind: 'answer', sdp: 'answer-sdp' }]);
    expect(s.video.phase).toBe('connecting');
    pc.gather('c-mine');
    expect(s.signals()[1]).toMatchObject({ to: 'wsock', kind: 'candidate', candidate: cand('c-mine') });
    // Our Hang up: to the peer, a plain "Call ended".
    s.video.hangup();
    expect(s.signals()[2]).toMatchObject({ to: 'wsock', kind: 'hangup' });
    expect(callEndText(s.video.reason, 'wes')).toBe('Call ended');

    const d = setup('black');
    d.video.handle(signal('offer', 'wsock', { sdp: 'offer-sdp' }));
    d.video.decline();
    expect(d.signals()).toEqual([{ t: 'signal', id: expect.any(String), room: ROOM, to: 'wsock', kind: 'hangup' }]);
    expect(d.video.phase).toBe('idle');
    expect(d.video.reason).toBeNull();
    expect(d.gum).not.toHaveBeenCalled();
    // The caller reads it as declined.
    const c = await calling();
    c.video.handle(signal('hangup', 'bsock'));
    expect(c.video.reason).toBe('declined');
  });

  test('the browser\'s refusals end the call with a note; a callee that cannot start its camera tells the caller', async () => {
    const denied = setup('white', async () => Promise.reject(Object.assign(new Error('no'), { name: 'NotAllowedError' })));
    const started = denied.video.start();
    denied.answerIce();
    await started;
    expect(denied.video.phase).toBe('idle');
    expect(denied.video.reason).toBe('denied');
    expect(denied.signals()).toEqual([]);
    expect(denied.pcs).toEqual([]);

    const none = setup('black', async () => Promise.reject(Object.assign(new Error('no'), { name: 'NotFoundError' })));
    await answered(none);
    expect(none.video.reason).toBe('no-device');
    expect(none.signals()).toEqual([{ t: 'signal', id: expect.any(String), room: ROOM, to: 'wsock', kind: 'hangup' }]);
    expect(callEndText('no-device', 'wes')).toMatch(/No camera or microphone/);

    expect(mediaErrorReason({ name: 'NotReadableError' })).toBe('media');
    expect(mediaErrorReason({ name: 'OverconstrainedError' })).toBe('no-device');
    expect(mediaErrorReason('weird')).toBe('media');

    const bare = setup();
    const video = new Video(bare.host as unknown as ConstructorParameters<typeof Video>[0], { relayForced: () => false });
    await video.start();
    expect(video.reason).toBe('unsupported');
  });

  test('a failed connection, an opponent gone, nobody answering: the call ends and says why; the caller\'s hangup goes to every socket that rang', async () => {
    const f = await answered();
    f.pc.ice('checking');
    f.pc.ice('failed');
    expect(f.video.reason).toBe('failed');
    expect(f.reports().map((r) => r.state)).toEqual(['started', 'failed']);
    expect(f.signals().at(-1)).toMatchObject({ to: 'wsock', kind: 'hangup' });

    const away = setup();
    away.host.view.black = { ...seat('bea'), connected: false };
    expect(away.video.reachable).toBe(false); // Start is greyed out
    await away.video.start();
    expect([away.video.phase, away.gum.mock.calls.length]).toEqual(['idle', 0]);

    const left = await calling();
    left.host.view.black = { ...seat('bea'), connected: false };
    left.host.render();
    expect(left.video.reason).toBe('left');
    expect(left.signals().at(-1)).toEqual({ t: 'signal', id: expect.any(String), room: ROOM, kind: 'hangup' });

    // Connected: a socket that goes away alone changes nothing; with the media gone too, they left.
    const on = await answered();
    on.pc.ice('connected');
    on.host.view.white = { ...seat('wes'), connected: false };
    on.host.render();
    expect(on.video.phase).toBe('connected');
    on.pc.ice('disconnected');
    expect(on.video.reason).toBe('left');

    jest.useFakeTimers();
    const slow = await calling();
    jest.advanceTimersByTime(RING_MS);
    expect(slow.video.reason).toBe('no-answer');
    expect(slow.signals().at(-1)).toEqual({ t: 'signal', id: expect.any(String), room: ROOM, kind: 'hangup' });
    const stuck = await answered();
    jest.advanceTimersByTime(CONNECT_MS);
    expect(stuck.video.reason).toBe('failed');
    // Leaving the room ends a call without a note.
    const gone = await answered();
    gone.host.view.room = null;
    gone.host.render();
    expect([gone.video.phase, gone.video.reason]).toEqual(['idle', null]);
  });

  test('both press Start: White\'s call stands, Black gives way and answers it', async () => {
    const w = await calling(setup('white'));
    w.video.handle(signal('offer', 'bsock', { sdp: 'black-offer' }));
    expect(w.video.phase).toBe('calling');
    expect(w.pcs).toHaveLength(1);

    const b = await calling(setup('black'));
    b.video.handle(signal('offer', 'wsock', { sdp: 'white-offer' }));
    expect(b.pc.closed).toBe(true);
    expect(b.video.phase).toBe('answering');
    b.answerIce();
    await settle();
    expect(b.pcs[1]!.log[0]).toBe('remote offer white-offer');
    expect(b.signals().map((f) => [f.kind, f.to])).toEqual([['offer', undefined], ['answer', 'wsock']]); // no hangup that would end White's call
  });

  test('camera and microphone switch their tracks on and off, with no new offer', async () => {
    const s = await calling();
    const stream = s.video.local as unknown as FakeStream;
    s.video.toggleCamera();
    expect(stream.getVideoTracks()[0]!.enabled).toBe(false);
    expect(stream.getAudioTracks()[0]!.enabled).toBe(true);
    s.video.toggleMic();
    s.video.toggleCamera();
    expect([s.video.camera, s.video.mic]).toEqual([true, false]);
    expect(stream.getAudioTracks()[0]!.enabled).toBe(false);
    expect(s.signals()).toHaveLength(1);
  });

  test('the server\'s refusals: a refused offer ends the call with the sentence; a candidate that found nobody changes nothing', async () => {
    const s = await calling();
    s.pc.gather('c1');
    s.video.handle(signal('answer', 'bsock', { sdp: 'a' }));
    await settle();
    const candidateId = s.signals().at(-1)!.id;
    expect(s.video.failed({ t: 'error', id: candidateId, code: 'peer_unavailable', message: '' })).toBe(true);
    expect(s.video.phase).toBe('connecting');
    expect(s.video.failed({ t: 'error', id: 'move-3', code: 'illegal_move', message: '' })).toBe(false);

    const r = await calling();
    expect(r.video.failed({ t: 'error', id: r.signals()[0]!.id, code: 'peer_unavailable', message: '' })).toBe(true);
    expect(r.video.reason).toBe('refused');
    expect(callEndText(r.video.reason, 'bea', r.video.detail)).toBe('Your opponent is not connected right now: call again once they are back');

    const i = setup();
    const started = i.video.start();
    i.video.failed({ t: 'error', id: i.sent.find((f) => f.t === 'ice')!.id, code: 'rate_limited', message: '' });
    await started;
    expect(i.video.reason).toBe('refused');
    expect((i.video.local as unknown)).toBeNull();
  });

  test('relay: forced by ?relay=1 or the storage key; told by the selected candidate pair', async () => {
    const store = (v: string | null) => ({ getItem: (k: string) => (k === RELAY_KEY ? v : null) });
    expect(relayForced('?relay=1', null)).toBe(true);
    expect(relayForced('?room=X', store('1'))).toBe(true);
    expect(relayForced('', store(null))).toBe(false);
    expect(relayForced('', { getItem: () => { throw new Error('disabled'); } })).toBe(false);
    const forced = await calling(setup('white', undefined, true));
    expect(forced.pc.config.iceTransportPolicy).toBe('relay');

    const stats = (o: Record<string, Record<string, unknown>>) => new Map(Object.entries(o));
    expect(relayOf(stats({ P: { type: 'candidate-pair', nominated: true, state: 'succeeded', localCandidateId: 'L' }, L: { candidateType: 'host' } }))).toBe(false);
    expect(relayOf(stats({ P: { type: 'candidate-pair', selected: true, localCandidateId: 'L' }, L: { candidateType: 'relay' } }))).toBe(true);
    expect(relayOf(stats({ P: { type: 'candidate-pair', nominated: true, state: 'in-progress', localCandidateId: 'L' }, L: { candidateType: 'relay' } }))).toBeNull();
  });
});
