// Reads this gateway's own event stream (XREAD, one reader, so no consumer group is needed).
import type { Redis } from 'ioredis';
import type { Logger } from '@gambit/common';
import type { GatewayDelivery, RoomEvent } from '@gambit/protocol';

export class EventReader {
  private running = false;
  private loop?: Promise<void>;

  /** `onDelivery` also gets when the engine wrote the entry (ms, from its stream id). */
  constructor(private readonly redis: Redis, private readonly stream: string, private readonly log: Logger, private readonly onDelivery: (d: GatewayDelivery, writtenAt: number) => void) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    let last = '0-0'; // the stream is this process's own: everything in it is for us
    while (this.running) {
      try {
        const rows = (await this.redis.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', this.stream, last)) as [string, [string, string[]][]][] | null;
        if (!rows) continue;
        for (const [id, fields] of rows[0]![1]) {
          last = id;
          let d: GatewayDelivery | null;
          try {
            d = decodeDelivery(fields);
          } catch (err) {
            d = null;
            this.log.error({ err: String(err), id }, 'bad delivery on the event stream');
          }
          if (d) this.onDelivery(d, Number(id.slice(0, id.indexOf('-'))));
        }
      } catch (err) {
        if (!this.running) return;
        this.log.warn({ err: String(err) }, 'event stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}

/**
 * One stream entry's fields as a delivery (see GatewayDelivery for the layout); null for an entry
 * with nothing in it. Engines from before the room-event fields wrote room events as
 * `d {"k":"room","room":..,"ev":{..}}`: still read, for rolling upgrades.
 */
export function decodeDelivery(fields: string[]): GatewayDelivery | null {
  if (fields[0] === 'r') {
    // Read in place (this runs for every room event): no per-entry map of the fields.
    let room: string | undefined, t: string | undefined, ply: string | undefined, text: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const v = fields[i + 1]!;
      switch (fields[i]) {
        case 'r': room = v; break;
        case 't': t = v; break;
        case 'p': ply = v; break;
        case 'e': text = v; break;
      }
    }
    if (!room || !t || text === undefined) throw new Error('a room event needs r, t and e');
    const type = t as RoomEvent['t'];
    return ply === undefined ? { k: 'room', room, t: type, text } : { k: 'room', room, t: type, ply: Number(ply), text };
  }
  const body = fields[0] === 'd' ? fields[1] : undefined;
  if (!body) return null;
  const d = JSON.parse(body) as GatewayDelivery | { k: 'room'; room: string; ev: RoomEvent };
  if (d.k === 'room' && 'ev' in d) {
    const { ev } = d;
    return ev.t === 'moved' ? { k: 'room', room: d.room, t: ev.t, ply: ev.ply, text: JSON.stringify(ev) } : { k: 'room', room: d.room, t: ev.t, text: JSON.stringify(ev) };
  }
  return d as GatewayDelivery;
}
