// The transport entry: one message for a consumer group, on the command stream (gateway and
// room-reaper -> engines) and the finalize stream (engines -> finalizers; see finalize.ts).
//
//   p <pattern> k <partition key> d <data JSON>
//
//   p move k HBYKM6HB d {"t":"move","origin":{"gw":"gambit-gateway-7c9f8-x2k4q","conn":"Vb3kQ9xZ-4mN","playerId":"g_PWr_GDi4LAr0","name":"alice","at":1796067993158,"cid":"Vb3kQ9xZ-4mN.2"},"room":"HBYKM6HB","uci":"e2e4","ply":0}
//
// - pattern: the handler to run (`move`, `disconnect`, `game.ended`, ...);
// - key: entries with the same key are handled one after another, in order (the room code; the
//   connection id for a `create`, which has no room yet). An entry without one is keyed by its id;
// - data: JSON (absent: null).
// An entry without a pattern, or whose data is not JSON, is malformed: the transport acknowledges
// and logs it.
//
// The long names `pattern key data` are read as well but not written yet. The short names stay
// because both ends of these streams are upgraded one deployment at a time: an engine of the
// previous release reads only `p k d`, and would acknowledge a command written with new names as
// malformed (a lost move), and one `helm upgrade` rolls every Deployment at once (the same reason
// as for the gateway events, gateway-events.ts). Once every reader is of this release, writing
// the long names is a change of ENTRY_FIELDS alone (commit.lua gets the names from here).
//
// Every layout between our processes is in this folder; index.ts lists them.

/** The names read: the short ones every release writes so far, and the long ones (see above). */
const SHORT_ENTRY_FIELDS = { pattern: 'p', key: 'k', data: 'd' } as const;
const LONG_ENTRY_FIELDS = { pattern: 'pattern', key: 'key', data: 'data' } as const;
/** The field names written (commit.lua writes the finalize entry with these too). */
export const ENTRY_FIELDS: Record<keyof typeof SHORT_ENTRY_FIELDS, string> = SHORT_ENTRY_FIELDS;

export interface StreamEntry {
  id: string;
  pattern: string;
  key: string;
  data: unknown;
}

/** An entry that cannot be handled (no pattern, data not JSON); `key` as for a good one. */
export interface MalformedEntry {
  id: string;
  key: string;
  malformed: string;
}

/** An entry's three fields as they are, the data still JSON text: how an entry moves unchanged. */
export interface EntryText {
  pattern: string;
  key: string;
  json: string;
}

/** The fields of one transport entry (pass them to XADD after the id). */
export function encodeEntry(pattern: string, key: string, data: unknown): string[] {
  return encodeEntryText({ pattern, key, json: JSON.stringify(data) });
}

/** The same, with the data already JSON (a dead letter going back, unchanged). */
export function encodeEntryText(e: EntryText): string[] {
  return [ENTRY_FIELDS.pattern, e.pattern, ENTRY_FIELDS.key, e.key, ENTRY_FIELDS.data, e.json];
}

/** The transport fields of an entry, read in place (new and old names); undefined where absent. */
export function readEntryText(fields: readonly string[]): Partial<EntryText> {
  let pattern: string | undefined, key: string | undefined, json: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const v = fields[i + 1];
    switch (fields[i]) {
      case SHORT_ENTRY_FIELDS.pattern: case LONG_ENTRY_FIELDS.pattern: pattern = v; break;
      case SHORT_ENTRY_FIELDS.key: case LONG_ENTRY_FIELDS.key: key = v; break;
      case SHORT_ENTRY_FIELDS.data: case LONG_ENTRY_FIELDS.data: json = v; break;
    }
  }
  return { pattern, key, json };
}

/** One XREADGROUP / XAUTOCLAIM / XRANGE row as an entry, or why it cannot be handled. */
export function decodeEntry(id: string, fields: readonly string[]): StreamEntry | MalformedEntry {
  const { pattern, key = id, json } = readEntryText(fields);
  if (!pattern) return { id, key, malformed: 'no pattern' };
  let data: unknown = null;
  if (json !== undefined) {
    try {
      data = JSON.parse(json);
    } catch {
      return { id, key, malformed: 'data is not JSON' };
    }
  }
  return { id, pattern, key, data };
}
