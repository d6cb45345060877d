// This pod's sockets: by connection id, and by room (the audience a room event goes to), and which
// of a room's audience are spectators (for its crowd, ws/crowd.ts, and its chat: the players' lines
// go to the others, the spectators' to the spectators).
import type { GatewayDelivery, RoomEvent } from '@gambit/protocol';
import type { Client } from './client.js';

export class Hub {
  readonly clients = new Map<string, Client>();
  private readonly audiences = new Map<string, Set<Client>>();
  private readonly spectators = new Map<string, Set<Client>>();
  /** Rooms whose spectators on this pod changed since the crowd last looked. */
  readonly crowdChanged = new Set<string>();
  /** Rooms a socket joined since the crowd last looked: it tells them the crowd (a newcomer has not heard it). */
  readonly joined = new Set<string>();

  /**
   * `sent` counts what a broadcast sends (type, bytes of one copy, copies); `muted` says whether a
   * player muted another in chat (ws/mutes.ts).
   */
  constructor(
    private readonly sent: (type: string, bytes: number, copies: number) => void = () => undefined,
    private readonly muted: (playerId: string, other: string) => boolean = () => false,
  ) {}

  add(client: Client): void {
    this.clients.set(client.id, client);
  }

  remove(client: Client): void {
    this.clients.delete(client.id);
    for (const room of client.rooms) this.unsubscribe(client, room);
  }

  subscribe(client: Client, room: string, spectator = false): void {
    client.rooms.add(room);
    let set = this.audiences.get(room);
    if (!set) this.audiences.set(room, (set = new Set()));
    set.add(client);
    this.joined.add(room);
    // A watcher who takes a seat (`join` after `watch`) is a player from now on.
    if (!spectator && this.spectators.get(room)?.delete(client)) {
      this.crowdChanged.add(room);
      if (this.spectators.get(room)!.size === 0) this.spectators.delete(room);
    }
    if (spectator) {
      let specs = this.spectators.get(room);
      if (!specs) this.spectators.set(room, (specs = new Set()));
      specs.add(client);
      this.crowdChanged.add(room);
    }
  }

  unsubscribe(client: Client, room: string): void {
    client.rooms.delete(room);
    const set = this.audiences.get(room);
    set?.delete(client);
    if (set?.size === 0) this.audiences.delete(room);
    const specs = this.spectators.get(room);
    if (specs?.delete(client)) {
      this.crowdChanged.add(room);
      if (specs.size === 0) this.spectators.delete(room);
    }
  }

  /** This pod's spectators of `room`. */
  spectatorsOf(room: string): ReadonlySet<Client> {
    return this.spectators.get(room) ?? new Set();
  }

  /** Rooms with spectators on this pod, and rooms with any audience here. */
  spectatedRooms(): IterableIterator<string> {
    return this.spectators.keys();
  }

  hasAudience(room: string): boolean {
    return this.audiences.has(room);
  }

  audienceRooms(): IterableIterator<string> {
    return this.audiences.keys();
  }

  /** A message for a room's whole audience on this pod that is not a room event (the crowd): encoded once. */
  sendToRoom(room: string, text: string): number {
    const set = this.audiences.get(room);
    if (!set) return 0;
    const frame = Buffer.from(text);
    for (const c of set) c.sendRaw(frame);
    return set.size;
  }

  /** Delivers one entry of this gateway's event stream; returns how many sockets got it. */
  deliver(d: GatewayDelivery): number {
    if (d.k === 'room') return this.broadcast(d.room, d.t, d.text);
    if (d.k === 'audience') return this.toAudience(d);
    if (d.k === 'crowd') return 0; // the crowd's (ws/crowd.ts), through the delivery handler
    const client = this.clients.get(d.conn);
    if (!client) return 0;
    if (d.k === 'replay') {
      this.subscribe(client, d.room, d.watch === true);
      for (const ev of d.events) client.send(ev);
      return 1;
    }
    if (d.sub) this.subscribe(client, d.sub, d.watch === true);
    client.send(d.msg);
    if (d.unsub) this.unsubscribe(client, d.unsub);
    return 1;
  }

  /** The engine's text goes out as it is: encoded once for the whole audience, never re-parsed. */
  private broadcast(room: string, type: RoomEvent['t'], text: string): number {
    const set = this.audiences.get(room);
    if (!set) return 0;
    const frame = Buffer.from(text);
    for (const c of set) c.sendRaw(frame);
    const size = set.size;
    this.sent(type, frame.length, size);
    if (type === 'closed') for (const c of [...set]) this.unsubscribe(c, room); // the room is gone
    return size;
  }

  /** A chat line or the chat's mode: to the room's players or spectators here, but those who muted its author. */
  private toAudience(d: Extract<GatewayDelivery, { k: 'audience' }>): number {
    const set = this.audiences.get(d.room);
    if (!set) return 0;
    const specs = this.spectators.get(d.room);
    let frame: Buffer | undefined;
    let copies = 0;
    for (const c of set) {
      if (c.id === d.except) continue;
      const spectator = specs?.has(c) ?? false;
      if ((d.to === 'players' && spectator) || (d.to === 'spectators' && !spectator)) continue;
      if (d.by && c.identity && this.muted(c.identity.playerId, d.by)) continue;
      c.sendRaw((frame ??= Buffer.from(JSON.stringify(d.msg))));
      copies += 1;
    }
    if (frame) this.sent(d.msg.t, frame.length, copies);
    return copies;
  }

  /** Whether the socket hears `room` as a spectator (null: it is not in the room's audience). */
  roleIn(client: Client, room: string): 'players' | 'spectators' | null {
    if (!this.audiences.get(room)?.has(client)) return null;
    return this.spectators.get(room)?.has(client) ? 'spectators' : 'players';
  }

  roomCount(): number {
    return this.audiences.size;
  }
}
