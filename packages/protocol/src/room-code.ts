// Room codes: 8 characters without the look-alikes I, L, O, 0, 1 (PROTOCOL.md).
import { createHash, randomInt } from 'node:crypto';

export const ROOM_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const ROOM_CODE_LENGTH = 8;
export const ROOM_CODE_RE = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/;

export function newRoomCode(): string {
  let code = '';
  for (let i = 0; i < ROOM_CODE_LENGTH; i++) code += ROOM_CODE_ALPHABET[randomInt(ROOM_CODE_ALPHABET.length)];
  return code;
}

/**
 * The room of two friends (seed 001's pair rooms): the same code every time they play by challenge,
 * whichever of them challenges. Seed 001 keeps one per pair in a table; derived from the two ids
 * it needs no lookup and survives losing Redis. Anyone who knows both ids can compute it: it gives
 * no seat (only these two are seated), and what it shows is public anyway (finished games are, as
 * on lichess, and games in play are listed to watch).
 */
export function pairRoomCode(a: string, b: string): string {
  const digest = createHash('sha256').update(`gambit-pair-room\n${[a, b].sort().join('\n')}`).digest();
  let code = '';
  for (let i = 0; i < ROOM_CODE_LENGTH; i++) code += ROOM_CODE_ALPHABET[digest[i]! % ROOM_CODE_ALPHABET.length];
  return code;
}
