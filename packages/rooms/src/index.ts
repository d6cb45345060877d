// @gambit/rooms: the room domain shared by the game engine and the room-reaper controller. The pure
// rules (rules/), the atomic Redis commit (store/: room-store.ts and commit.lua), the engine core
// that runs one against the other, the position cache, the engine's metrics and the one deadline
// scan. Services import this package, never each other's files.
export { Engine, type EngineSettings } from './engine.js';
export { RoomStore, serializeEvent, type Ack, type Loaded, type StoreSettings } from './store/room-store.js';
export { DeadlineScanner, type DeadlineScanOptions, type ScanResult } from './deadlines.js';
export { engineMetrics, type EngineMetrics } from './metrics.js';
export { PositionCache } from './positions.js';
export { planDeadlines, type DueRooms } from './rules/deadlines.js';
export { decide, expire, type Command, type Ctx, type Decision, type Reply } from './rules/decide.js';
export { replay, type Game } from './rules/chess.js';
export { stateMsg, type RoomState, type Seat } from './rules/state.js';
