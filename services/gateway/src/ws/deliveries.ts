// What this pod does with each entry of its own event stream: the hub sends it to the sockets it
// is for; around that, the metrics, the move latency, and for an answer to one socket the
// registry (the socket's rooms changed) or, when that socket is already gone, its late seat.
// Runs for every room event: nothing allocated here beyond what the metrics need.
import type { GatewayDelivery } from '@gambit/protocol';
import type { GatewayMetrics } from '../metrics.js';
import type { Hub } from './hub.js';
import type { LateSeats } from './late-seats.js';
import type { MoveLatency } from './move-latency.js';

export interface DeliveryDeps {
  hub: Hub;
  metrics: GatewayMetrics;
  moveLatency: MoveLatency;
  lateSeats: LateSeats;
  /** A room's crowd shares, sent by the gateway that changed its share (ws/crowd.ts). */
  crowd: (room: string, shares: readonly string[]) => void;
}

/** The event reader's callback; `writtenAt` is when the engine wrote the entry (ms). */
export function deliveryHandler({ hub, metrics, moveLatency, lateSeats, crowd }: DeliveryDeps): (d: GatewayDelivery, writtenAt: number) => void {
  return (d, writtenAt) => {
    metrics.deliveries.inc({ kind: d.k });
    if (d.k === 'crowd') {
      crowd(d.room, Array.isArray(d.shares) ? d.shares : []);
      return;
    }
    hub.deliver(d);
    metrics.fanout.observe(Math.max(0, Date.now() - writtenAt) / 1000);
    if (d.k === 'room') {
      if (d.ply !== undefined) moveLatency.moved(d.room, d.ply);
      return;
    }
    if (d.k === 'audience') return;
    const room = d.k === 'replay' ? d.room : d.sub;
    const client = hub.clients.get(d.conn);
    if (client) {
      if (room || (d.k === 'conn' && d.unsub)) client.roomsChanged();
    } else if (room) lateSeats.seated(d.conn, room);
    metrics.rooms.set(hub.roomCount());
  };
}
