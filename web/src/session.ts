// Who we are and where we were, per tab: sessionStorage, so two tabs of one browser are two
// players, and a reload of a tab finds its guest token and its game again.
import type { Side } from '@gambit/protocol';
import type { ViewStatus } from './game.js';

export interface Guest { token: string; playerId: string; name: string }
export interface SavedRoom { room: string; color: Side | null; status: ViewStatus }

const GUEST = 'gambit.guest';
const ROOM = 'gambit.room';
const NAME = 'gambit.name'; // localStorage: the name is a preference, not an identity

function read<T>(store: Storage, key: string): T | null {
  try {
    const raw = store.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null; // storage disabled or garbage: behave like a first visit
  }
}

function write(store: Storage, key: string, value: unknown): void {
  try {
    if (value === null) store.removeItem(key);
    else store.setItem(key, JSON.stringify(value));
  } catch {
    /* private mode: the tab still works, it just forgets on reload */
  }
}

export const loadGuest = (): Guest | null => read<Guest>(sessionStorage, GUEST);
export const loadRoom = (): SavedRoom | null => read<SavedRoom>(sessionStorage, ROOM);
export const saveRoom = (room: SavedRoom | null): void => write(sessionStorage, ROOM, room);

export function preferredName(): string {
  return read<string>(localStorage, NAME) ?? `guest-${Math.floor(1000 + Math.random() * 9000)}`;
}

/** POST /api/guest: a signed guest token for `name`. Stored for this tab. */
export async function newGuest(name: string): Promise<Guest> {
  const res = await fetch('/api/guest', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: name.trim().slice(0, 24) || undefined }),
  });
  if (!res.ok) throw new Error(`guest login failed: HTTP ${res.status}`);
  const guest = (await res.json()) as Guest;
  write(sessionStorage, GUEST, guest);
  write(localStorage, NAME, guest.name);
  return guest;
}
