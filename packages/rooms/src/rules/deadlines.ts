// Which rooms a deadline scan handles, and how: pure. Engines and the room-reaper controller both
// scan the deadline sets (DeadlineScanner in ../deadlines.ts) and plan each round with this.

export interface DueRooms {
  flags: string[];
  graces: string[];
  expiries: string[];
}

/**
 * Rooms with a passed flag or grace deadline get a `tick` (the rules end the game on time or as
 * abandoned); rooms past their expiry are expired (deleted). A room is handled once per round: a
 * room due both as flag/grace and as expiry is ticked only, and its expiry is judged next round
 * from the state the tick left (a game the tick just ended keeps its full ROOM_TTL_MS, a room
 * the tick deleted is off every set), never from a score read before the tick.
 */
export function planDeadlines(due: DueRooms): { tick: string[]; expire: string[] } {
  const tick = [...new Set([...due.flags, ...due.graces])];
  const ticked = new Set(tick);
  const expire = [...new Set(due.expiries)].filter((r) => !ticked.has(r));
  return { tick, expire };
}
