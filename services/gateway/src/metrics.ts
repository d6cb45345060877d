import { Counter, Gauge, type Registry } from '@gambit/common';

export function gatewayMetrics(registry: Registry) {
  return {
    connections: new Gauge({ name: 'gambit_gateway_connections', help: 'Open WebSocket connections on this pod', registers: [registry] }),
    rooms: new Gauge({ name: 'gambit_gateway_rooms', help: 'Rooms with at least one socket on this pod', registers: [registry] }),
    frames: new Counter({ name: 'gambit_gateway_frames_total', help: 'Valid client frames, by type', labelNames: ['type'], registers: [registry] }),
    errors: new Counter({ name: 'gambit_gateway_errors_total', help: 'Errors sent to clients by the gateway itself, by code', labelNames: ['code'], registers: [registry] }),
    closes: new Counter({ name: 'gambit_gateway_closes_total', help: 'Sockets closed, by close code', labelNames: ['code'], registers: [registry] }),
    deliveries: new Counter({ name: 'gambit_gateway_deliveries_total', help: 'Entries read from this pod\'s event stream, by kind', labelNames: ['kind'], registers: [registry] }),
  };
}
export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;
