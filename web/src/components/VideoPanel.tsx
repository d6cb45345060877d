// The players' video call on the game screen (video.ts keeps it): Start video, the opponent's
// Accept / Decline prompt, then the opponent's picture with a small muted picture of ourselves,
// camera and microphone switches and Hang up; why a call ended stays as a note. In the side panel,
// so beside the board on a wide screen and under it on a phone. Only the two seated players see it.
import { useEffect, useRef } from 'preact/hooks';
import { callEndText } from '../errors.js';
import { other } from '../game.js';
import type { Phase, Video } from '../video.js';
import { useLive } from './live-context.js';

function statusText(video: Video, opponent: string): string {
  const phases: Record<Phase, string> = {
    idle: callEndText(video.reason, opponent, video.detail) ?? '',
    starting: 'Starting your camera and microphone…',
    calling: `Calling ${opponent}…`,
    ringing: `${opponent} wants a video call`,
    answering: 'Starting your camera and microphone…',
    connecting: 'Connecting…',
    connected: `On a call with ${opponent}${video.relay ? ' (through a relay)' : ''}`,
  };
  return phases[video.phase];
}

/** A <video> showing `stream` (srcObject is a property, not an attribute: set after each change). */
function StreamVideo({ stream, testid, self }: { stream: MediaStream | null; testid: string; self?: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || el.srcObject === stream) return;
    el.srcObject = stream;
    // Start/Accept was the click that allows sound; if the browser still refuses to play, the picture waits for the next one.
    if (stream) el.play().catch(() => undefined);
  }, [stream]);
  return <video ref={ref} data-testid={testid} class={self ? 'video-self' : 'video-remote'} autoplay playsinline muted={self}
    aria-label={self ? 'Your camera' : "Your opponent's camera"} />;
}

export function VideoPanel() {
  const live = useLive();
  const { video, view: v } = live;
  // The game screen goes (Home, another room): the call goes with it.
  useEffect(() => () => video.leave(), [video]);
  if (!v.color || (!video.available && video.phase === 'idle' && !video.reason)) return null;

  const opponent = v[other(v.color)]?.name || 'Your opponent';
  const { phase } = video;
  const inCall = phase !== 'idle' && phase !== 'ringing';
  const online = live.online;
  const text = statusText(video, opponent);
  return (
    <section class="video" data-testid="video-panel" aria-label="Video call">
      {inCall && (
        <div class="video-stage">
          <StreamVideo stream={video.remote} testid="video-remote" />
          <StreamVideo stream={video.local} testid="video-self" self />
        </div>
      )}
      <p class={`video-status${phase === 'idle' && video.reason && video.reason !== 'ended' ? ' video-note' : ''}`} data-testid="video-status"
        data-state={phase} data-reason={video.reason ?? ''} aria-live="polite" hidden={text === ''}>{text}</p>
      <div class="video-actions">
        {phase === 'idle' && (
          <button type="button" data-testid="video-start" disabled={!online || !video.reachable} onClick={() => void video.start()}
            title={video.reachable ? 'See and hear your opponent while you play' : `${opponent} is not connected`}>🎥 Start video</button>
        )}
        {phase === 'ringing' && (
          <>
            <button type="button" class="primary" data-testid="video-accept" disabled={!online} onClick={() => void video.accept()}>Accept video call</button>
            <button type="button" data-testid="video-decline" onClick={() => video.decline()}>Decline</button>
          </>
        )}
        {inCall && (
          <>
            <button type="button" data-testid="video-camera" aria-pressed={!video.camera} data-on={String(video.camera)}
              onClick={() => video.toggleCamera()}>{video.camera ? 'Camera off' : 'Camera on'}</button>
            <button type="button" data-testid="video-mic" aria-pressed={!video.mic} data-on={String(video.mic)}
              onClick={() => video.toggleMic()}>{video.mic ? 'Mute' : 'Unmute'}</button>
            <button type="button" class="danger" data-testid="video-hangup" onClick={() => video.hangup()}>Hang up</button>
          </>
        )}
      </div>
    </section>
  );
}
