// What the tab keeps in storage: where it was (sessionStorage, so a reload finds its game again),
// the preferred guest name (localStorage), and, only on stacks without the accounts service, the
// gateway's guest token (sessionStorage: two tabs of one browser are two players). Tokens from
// /api/session are never stored: there the cookie is the session (identity.ts).
import type { Side } from '@gambit/protocol';
import { api } from './api.js';
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

/** The name this browser chose before, if any. */
export const storedName = (): string | null => read<string>(localStorage, NAME);
export const saveName = (name: string): void => write(localStorage, NAME, name);

export function preferredName(): string {
  return storedName() ?? `guest-${Math.floor(1000 + Math.random() * 9000)}`;
}

/** POST /api/guest: a signed guest token for `name`. Stored for this tab. Throws api.ts ApiError. */
export async function newGuest(name: string): Promise<Guest> {
  const guest = await api.guest(name.trim().slice(0, 24) || undefined);
  write(sessionStorage, GUEST, guest);
  saveName(guest.name);
  return guest;
}
