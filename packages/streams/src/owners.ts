// Which consumer reads which stream, when the consumers split the streams between them instead of
// all reading all (the engines and the room shards: a room's commands then reach one engine, whose
// position cache holds the room). Rendezvous (highest random weight) hashing: every consumer
// computes the same answer from the same member list, with no coordinator, and a member joining or
// leaving moves only the streams it wins or held (about 1/n of them), not a reshuffle of all.
import { createHash } from 'node:crypto';

/** The weight of `member` for `stream`: the first 48 bits of SHA-1 of both (a well-spread number; called only when the members change). */
function weight(member: string, stream: string): number {
  return createHash('sha1').update(member).update('\n').update(stream).digest().readUIntBE(0, 6);
}

/** The owner of each stream among `members` (none when there are no members). Ties (vanishingly rare) go to the smaller id. */
export function owners(streams: readonly string[], members: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const stream of streams) {
    let best: string | undefined;
    let bestWeight = -1;
    for (const m of members) {
      const w = weight(m, stream);
      if (w > bestWeight || (w === bestWeight && best !== undefined && m < best)) {
        best = m;
        bestWeight = w;
      }
    }
    if (best !== undefined) out.set(stream, best);
  }
  return out;
}

/** The streams `me` owns among `members` (`me` counted in even if the list lacks it: it is alive, it is asking). */
export function ownedBy(me: string, streams: readonly string[], members: readonly string[]): string[] {
  const all = members.includes(me) ? members : [...members, me];
  const o = owners(streams, all);
  return streams.filter((s) => o.get(s) === me);
}
