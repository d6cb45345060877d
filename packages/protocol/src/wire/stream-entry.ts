// The transport entry: one message for a consumer group, on the command stream (gateway and
// room-reaper -> engines) and the finalize stream (engines -> finalizers; see finalize.ts).
//
//   p <pattern> k <partition key> d <data JSON>
//
//   p move k HBYKM6HB d {"t":"move","origin":{"gw":"gambit-gateway-7c9f8-x2k4q","conn":"Vb3kQ9xZ-4mN","playerId":"g_PWr_GDi4LAr0","name":"alice","at":1796067993158,"cid":"Vb3kQ9xZ-4mN.2"},"room":"HBYKM6HB","uci":"e2e4","ply":0}
//   [traceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 [tracestate vendor=x]]
//
// - pattern: the handler to run (`move`, `disconnect`, `game.ended`, ...);
// - key: entries with the same key are handled one after another, in order (the room code; the
//   connection id for a `create`, which has no room yet). An entry without one is keyed by its id;
// - data: JSON (absent: null);
// - traceparent, tracestate (optional): the W3C trace context of the span that wrote the entry
//   (https://www.w3.org/TR/trace-context/), written only while tracing is on (docs/operations.md,
//   Traces), so the handler's span is its child: one move is one trace across the services. An
//   entry without them (tracing off, or an older writer) decodes as before; a reader of an older
//   release skips fields it does not know, so these need no two-step rollout.
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
const SHORT_ENTRY_FIELDS = { pattern: 'p', key: 'k', data: 'd', traceparent: 'traceparent', tracestate: 'tracestate' } as const;
const LONG_ENTRY_FIELDS = { pattern: 'pattern', key: 'key', data: 'data' } as const;
/** The field names written (commit.lua writes the finalize entry with these too). */
export const ENTRY_FIELDS: Record<keyof typeof SHORT_ENTRY_FIELDS, string> = SHORT_ENTRY_FIELDS;

/** The W3C trace context an entry carries (see above); its values are checked where they are used. */
export interface EntryTrace {
  traceparent: string;
  tracestate?: string;
}

export interface StreamEntry {
  id: string;
  pattern: string;
  key: string;
  data: unknown;
  /** Absent on entries written while tracing was off. */
  trace?: EntryTrace;
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
  trace?: EntryTrace;
}

/** The fields of one transport entry (pass them to XADD after the id). */
export function encodeEntry(pattern: string, key: string, data: unknown, trace?: EntryTrace): string[] {
  return encodeEntryText(trace ? { pattern, key, json: JSON.stringify(data), trace } : { pattern, key, json: JSON.stringify(data) });
}

/** The same, with the data already JSON (a dead letter going back, unchanged). */
export function encodeEntryText(e: EntryText): string[] {
  const fields = [ENTRY_FIELDS.pattern, e.pattern, ENTRY_FIELDS.key, e.key, ENTRY_FIELDS.data, e.json];
  if (e.trace) {
    fields.push(ENTRY_FIELDS.traceparent, e.trace.traceparent);
    if (e.trace.tracestate) fields.push(ENTRY_FIELDS.tracestate, e.trace.tracestate);
  }
  return fields;
}

/** The transport fields of an entry, read in place (new and old names); undefined where absent. */
export function readEntryText(fields: readonly string[]): Partial<EntryText> {
  let pattern: string | undefined, key: string | undefined, json: string | undefined;
  let traceparent: string | undefined, tracestate: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const v = fields[i + 1];
    switch (fields[i]) {
      case SHORT_ENTRY_FIELDS.pattern: case LONG_ENTRY_FIELDS.pattern: pattern = v; break;
      case SHORT_ENTRY_FIELDS.key: case LONG_ENTRY_FIELDS.key: key = v; break;
      case SHORT_ENTRY_FIELDS.data: case LONG_ENTRY_FIELDS.data: json = v; break;
      case SHORT_ENTRY_FIELDS.traceparent: traceparent = v; break;
      case SHORT_ENTRY_FIELDS.tracestate: tracestate = v; break;
    }
  }
  if (!traceparent) return { pattern, key, json };
  return { pattern, key, json, trace: tracestate ? { traceparent, tracestate } : { traceparent } };
}

/** One XREADGROUP / XAUTOCLAIM / XRANGE row as an entry, or why it cannot be handled. */
export function decodeEntry(id: string, fields: readonly string[]): StreamEntry | MalformedEntry {
  const { pattern, key = id, json, trace } = readEntryText(fields);
  if (!pattern) return { id, key, malformed: 'no pattern' };
  let data: unknown = null;
  if (json !== undefined) {
    try {
      data = JSON.parse(json);
    } catch {
      return { id, key, malformed: 'data is not JSON' };
    }
  }
  return trace ? { id, pattern, key, data, trace } : { id, pattern, key, data };
}
