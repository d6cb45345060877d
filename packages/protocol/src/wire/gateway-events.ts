// Each gateway's event stream ({prefix}:stream:gw:{gatewayId}): what engines and the room-reaper
// write for the sockets of one gateway, read by that gateway alone (XREAD). An entry is one
// GatewayDelivery (internal.ts); its first field tells which kind:
//
// a room event, for every socket of the gateway in the room:
//   room <room code> type <event t> [ply <n>] event <event JSON>
//   room HBYKM6HB type moved ply 1 event {"t":"moved","seq":2,"room":"HBYKM6HB","ply":1,"uci":"e2e4","san":"e4","fen":...}
//   room HBYKM6HB type draw_offered event {"t":"draw_offered","seq":3,"room":"HBYKM6HB","by":"black"}
// `ply` is there for `moved` only. The event JSON is the text sockets receive: the gateway sends it
// as it is (encoded to UTF-8 once for all the room's sockets) and never parses it.
//
// any other delivery (an answer for one socket, a resume's replay), as GatewayDelivery JSON:
//   delivery <GatewayDelivery JSON>
//   delivery {"k":"conn","conn":"Rt7mW2pL-0aQ","msg":{"t":"joined","room":"HBYKM6HB","color":"black","id":"j1"},"sub":"HBYKM6HB"}
//   delivery {"k":"conn","conn":"Rt7mW2pL-0aQ","msg":{"t":"error","id":"m7","code":"illegal_move","message":"e2e5 is not a legal move here"}}
//   delivery {"k":"replay","conn":"Qa1sD4fG-9bC","room":"HBYKM6HB","events":[{"t":"draw_offered","seq":3,...},{"t":"presence","seq":4,...}]}
//   delivery {"k":"crowd","room":"HBYKM6HB","shares":["{\"n\":2,\"names\":[\"eve\"],\"at\":1764590400000}"]}
// (a room's crowd shares, written by the gateway crowd script between crowdDeliveryHalves, wire/live.ts)
//
// The names above (GATEWAY_FIELDS) are read from this release on, beside the short names of the
// previous releases (SHORT_GATEWAY_FIELDS: `r t [p] e` and `d`, where `p` was the ply) and the
// oldest form `d {"k":"room","room":..,"ev":{..}}` (a room event as an object).
// This release still WRITES the short names (WRITTEN_GATEWAY_FIELDS): one `helm upgrade` rolls
// engines and gateways at once, and a gateway of the previous release silently skips an entry it
// cannot read, so new names written now would cost its players their moves during the rollout.
// The next release writes GATEWAY_FIELDS: a change of WRITTEN_GATEWAY_FIELDS alone (expand, then
// contract). Either way the names live here only, and `p` is read as the ply only in this stream.
//
// Writers: RoomStore.send (answers that change nothing) through encodeDelivery, and commit.lua,
// which must write inside its atomic step. commit.lua takes the names from WRITTEN_GATEWAY_FIELDS
// (room-store.ts defines them ahead of the script), gets every JSON text as an argument, and builds
// one JSON itself: the replay, {"k":"replay","conn":<conn as a JSON string>,"room":"<code>"[,"watch":true],"events":[<the room log's texts>]}
// (`watch` for a spectator's resume: counted in the room's crowd).
import type { GatewayDelivery } from '../internal.js';
import type { RoomEvent } from '../server.js';

/** The layout's names. */
export const GATEWAY_FIELDS = { room: 'room', type: 'type', ply: 'ply', event: 'event', delivery: 'delivery' } as const;
/** The names of earlier releases, still read. */
export const SHORT_GATEWAY_FIELDS = { room: 'r', type: 't', ply: 'p', event: 'e', delivery: 'd' } as const;
/** The names written by this release (commit.lua writes with these too): see the opening comment. */
export const WRITTEN_GATEWAY_FIELDS: Record<keyof typeof GATEWAY_FIELDS, string> = SHORT_GATEWAY_FIELDS;

const W = WRITTEN_GATEWAY_FIELDS;
const L = GATEWAY_FIELDS;
const S = SHORT_GATEWAY_FIELDS;

/** The fields of a room event; `text` is the event's JSON as sockets receive it. */
export function encodeRoomEvent(room: string, type: RoomEvent['t'], ply: number | undefined, text: string): string[] {
  return ply === undefined ? [W.room, room, W.type, type, W.event, text] : [W.room, room, W.type, type, W.ply, String(ply), W.event, text];
}

/** The fields of any delivery (a room event as one, see encodeRoomEvent). */
export function encodeDelivery(d: GatewayDelivery): string[] {
  return d.k === 'room' ? encodeRoomEvent(d.room, d.t, d.ply, d.text) : [W.delivery, JSON.stringify(d)];
}

/**
 * One entry's fields as a delivery; null for an entry of no known kind. Throws on a broken one (a
 * room event without room, type or event; a delivery that is not JSON). Runs for every room event
 * on the gateway: reads the fields in place, no map per entry, and leaves the event's text as it is.
 */
export function decodeGatewayEntry(fields: readonly string[]): GatewayDelivery | null {
  const first = fields[0];
  if (first === L.room || first === S.room) {
    let room: string | undefined, t: string | undefined, ply: string | undefined, text: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const v = fields[i + 1];
      switch (fields[i]) {
        case L.room: case S.room: room = v; break;
        case L.type: case S.type: t = v; break;
        case L.ply: case S.ply: ply = v; break;
        case L.event: case S.event: text = v; break;
      }
    }
    if (!room || !t || text === undefined) throw new Error('a room event needs room, type and event');
    const type = t as RoomEvent['t'];
    return ply === undefined ? { k: 'room', room, t: type, text } : { k: 'room', room, t: type, ply: Number(ply), text };
  }
  const body = first === L.delivery || first === S.delivery ? fields[1] : undefined;
  if (!body) return null;
  const d = JSON.parse(body) as GatewayDelivery | { k: 'room'; room: string; ev: RoomEvent };
  if (d.k === 'room' && 'ev' in d) {
    // The oldest layout: the event as an object, turned into the text sockets receive once here.
    const { ev } = d;
    const text = JSON.stringify(ev);
    return ev.t === 'moved' ? { k: 'room', room: d.room, t: ev.t, ply: ev.ply, text } : { k: 'room', room: d.room, t: ev.t, text };
  }
  return d as GatewayDelivery;
}
