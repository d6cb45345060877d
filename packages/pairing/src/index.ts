// @gambit/pairing: quick pairing. The pure rules (match.ts: who plays whom), the pools in Redis
// (store.ts: join, leave, and the atomic claim of a pair with its engine command) and the
// matchmaker loop every engine runs (matchmaker.ts); the lobby's seeks (seeks.ts); challenges between friends (challenges.ts). The gateway uses the stores; engines run the loop.
export { DEFAULT_RULES, acceptedGap, pairUp, type Blocked, type PairingRules, type Waiting } from './match.js';
export { PoolStore, type PoolRef, type Read } from './store.js';
export { MAX_SEEKS, SeekStore, type AcceptOutcome } from './seeks.js';
export { Matchmaker, pairCommand, pairingMetrics, type MatchmakerOptions, type PairingMetrics } from './matchmaker.js';
export { CHALLENGE_LIMITS, ChallengeStore, type ChallengeAcceptOutcome, type ChallengeLimits, type OpenRefusal } from './challenges.js';
