// Every Redis stream entry layout between Gambit's processes, one codec per layout, each module
// opening with its layout exactly (what it writes, what older releases wrote that it still reads):
//   stream-entry.ts    the transport entry `p <pattern> k <key> d <JSON>` (command stream; the base
//                      of the finalize entry)
//   finalize.ts        the finalize entry (pattern `game.ended`, key = room, data = GameRecord) and
//                      its dead letter (`... error failedAt entry`)
//   gateway-events.ts  a gateway's event stream: `room type [ply] event` and `delivery`
//   account-jobs.ts    the account-jobs stream (accounts -> finalizers: erase, adopt) and its
//                      dead letters (finalize.ts's dead-letter layout)
//   pairing.ts         the quick-pairing pool entries and the players' rating copies (hashes)
//   live.ts            the games in play and each room's crowd of spectators (for watching)
//   challenges.ts      challenges between friends and the players' friend copies (hashes, sets)
//   chat.ts            a room's chat lines (lists), their delivery between gateways, reports
// Every TypeScript reader and writer, tests included, goes through these. The one writer outside
// TypeScript is packages/rooms/src/store/commit.lua (it must write inside its atomic script); it
// follows these layouts with the names exported here, which room-store.ts hands it.
export * from './stream-entry.js';
export * from './finalize.js';
export * from './gateway-events.js';
export * from './account-jobs.js';
export * from './pairing.js';
export * from './live.js';
export * from './challenges.js';
export * from './chat.js';
