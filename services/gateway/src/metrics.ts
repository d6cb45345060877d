import { Counter, Gauge, Histogram, zeroSeries, type Registry } from '@gambit/common';
import { ERROR_CODES } from '@gambit/protocol';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function gatewayMetrics(registry: Registry) {
  const r = [registry];
  const m = {
    connections: new Gauge({ name: 'gambit_gateway_connections', help: 'Open WebSocket connections on this pod', registers: r }),
    opened: new Counter({ name: 'gambit_gateway_connections_opened_total', help: 'WebSocket connections accepted', registers: r }),
    closes: new Counter({ name: 'gambit_gateway_closes_total', help: 'Sockets closed, by close code', labelNames: ['code'], registers: r }),
    rooms: new Gauge({ name: 'gambit_gateway_rooms', help: 'Rooms with at least one socket on this pod', registers: r }),
    frames: new Counter({ name: 'gambit_gateway_frames_total', help: 'Valid client frames, by type', labelNames: ['type'], registers: r }),
    framesOut: new Counter({ name: 'gambit_gateway_frames_out_total', help: 'Frames sent to clients, by type', labelNames: ['type'], registers: r }),
    bytesIn: new Counter({ name: 'gambit_gateway_bytes_in_total', help: 'Bytes of client frames received', registers: r }),
    bytesOut: new Counter({ name: 'gambit_gateway_bytes_out_total', help: 'Bytes of frames sent to clients', registers: r }),
    errors: new Counter({ name: 'gambit_gateway_errors_total', help: 'Errors sent to clients by the gateway itself, by code', labelNames: ['code'], registers: r }),
    rateLimited: new Counter({ name: 'gambit_gateway_rate_limited_total', help: 'Frames refused by the rate limit', registers: r }),
    authFailures: new Counter({ name: 'gambit_gateway_auth_failures_total', help: 'Handshakes that failed, by reason', labelNames: ['reason'], registers: r }),
    deliveries: new Counter({ name: 'gambit_gateway_deliveries_total', help: 'Entries read from this pod\'s event stream, by kind', labelNames: ['kind'], registers: r }),
    fanout: new Histogram({
      name: 'gambit_gateway_fanout_seconds', help: 'From the engine writing an event to this pod sending it to its sockets', buckets: LATENCY_BUCKETS, registers: r,
    }),
    moveLatency: new Histogram({
      name: 'gambit_gateway_move_latency_seconds', help: 'From this pod receiving a move to it sending the resulting moved', buckets: LATENCY_BUCKETS, registers: r,
    }),
    chatLines: new Counter({ name: 'gambit_chat_lines_total', help: 'Chat lines said through this pod, by channel', labelNames: ['channel'], registers: r }),
    chatReports: new Counter({ name: 'gambit_chat_reports_total', help: 'Chat lines reported through this pod', registers: r }),
    videoSessions: new Counter({ name: 'gambit_video_sessions_total', help: 'Video calls as the pages report them: started, connected, failed', labelNames: ['state'], registers: r }),
    videoRelayed: new Counter({ name: 'gambit_video_relayed_total', help: 'Video calls that connected through a TURN relay', registers: r }),
    draining: new Gauge({ name: 'gambit_gateway_draining', help: '1 while this pod drains (SIGTERM), else 0', registers: r }),
  };
  zeroSeries(m.errors, 'code', ERROR_CODES);
  zeroSeries(m.chatLines, 'channel', ['players', 'spectators']);
  zeroSeries(m.videoSessions, 'state', ['started', 'connected', 'failed']);
  zeroSeries(m.authFailures, 'reason', ['bad_token', 'missing_token', 'hello_timeout', 'origin']);
  return m;
}
export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;
