// The engine's Prometheus metrics (gambit_engine_*), defined next to the engine core that counts
// them: the engine service registers them as they are; the room-reaper controller points the game
// and room counters at its own (its engineHooks), so each side counts only its own transitions.
import { Counter, Gauge, Histogram, zeroSeries, type Registry } from '@gambit/common';
import { END_REASONS, ERROR_CODES, MOVE_KINDS } from '@gambit/protocol';
import type { RedisClient } from '@gambit/common';

export function engineMetrics(registry: Registry) {
  const m = {
    /** Games in play across all engines: every active game has a running clock, so a flag deadline (one set per shard). */
    watchActiveGames(redis: RedisClient, flagDeadlines: readonly string[]) {
      new Gauge({
        name: 'gambit_engine_active_games', help: 'Games in progress (all engines: the same value from each)', registers: [registry],
        async collect() {
          const counts = await Promise.all(flagDeadlines.map((set) => redis.zcard(set))).catch(() => [Number.NaN]);
          this.set(counts.reduce((a, b) => a + b, 0));
        },
      });
    },
    moves: new Counter({ name: 'gambit_engine_moves_total', help: 'Moves applied, by kind', labelNames: ['kind'], registers: [registry] }),
    games: new Counter({ name: 'gambit_engine_games_ended_total', help: 'Games ended, by reason', labelNames: ['reason'], registers: [registry] }),
    rooms: new Counter({ name: 'gambit_engine_rooms_total', help: 'Room lifecycle transitions', labelNames: ['event'], registers: [registry] }),
    rejected: new Counter({ name: 'gambit_engine_commands_rejected_total', help: 'Commands answered with an error, by code', labelNames: ['code'], registers: [registry] }),
    roomReads: new Counter({ name: 'gambit_engine_room_reads_total', help: 'Rooms read from Redis to handle a command: not held by this engine (another engine changed it, or it never had it). With SHARD_LEASE_MS, near none per move', registers: [registry] }),
    conflicts: new Counter({ name: 'gambit_engine_version_conflicts_total', help: 'Commits retried because another engine changed the room first', registers: [registry] }),
    shardsOwned: new Gauge({ name: 'gambit_engine_shards_owned', help: 'Room shards whose command stream and deadlines this engine handles (SHARD_LEASE_MS: its share of them)', registers: [registry] }),
    unreplicated: new Counter({ name: 'gambit_engine_commits_unreplicated_total', help: 'Commits no replica acknowledged within COMMIT_WAIT_MS (COMMIT_DURABILITY=replicated): a failover could lose them', registers: [registry] }),
    handled: new Histogram({
      name: 'gambit_engine_command_seconds', help: 'Time to handle one command, by type and outcome', labelNames: ['type', 'outcome'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry],
    }),
  };
  zeroSeries(m.moves, 'kind', MOVE_KINDS);
  zeroSeries(m.games, 'reason', END_REASONS);
  zeroSeries(m.rejected, 'code', ERROR_CODES);
  zeroSeries(m.rooms, 'event', ['created', 'started', 'gone']);
  return m;
}
export type EngineMetrics = ReturnType<typeof engineMetrics>;
