// The controller's Prometheus metrics (gambit_reaper_*), every series present from the start, and
// the engine's metric hooks pointed at them for the rooms the controller reaps.
import { Counter, Gauge, Histogram, Registry } from '@gambit/common';
import { engineMetrics, type EngineMetrics } from '@gambit/rooms';

export function controllerMetrics(registry: Registry) {
  const r = [registry];
  const m = {
    leader: new Gauge({ name: 'gambit_reaper_leader', help: '1 while this replica holds the Lease and does the work', registers: r }),
    leaderTransitions: new Counter({ name: 'gambit_reaper_leader_transitions_total', help: 'Times this replica started or stopped leading', labelNames: ['to'], registers: r }),
    reconcile: new Histogram({
      name: 'gambit_reaper_reconcile_seconds', help: 'Duration of one round of each loop', labelNames: ['loop'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: r,
    }),
    errors: new Counter({ name: 'gambit_reaper_reconcile_errors_total', help: 'Rounds of a loop that failed', labelNames: ['loop'], registers: r }),
    roomsReaped: new Counter({ name: 'gambit_reaper_rooms_total', help: 'Room transitions made by the controller (gone: deleted)', labelNames: ['event'], registers: r }),
    gamesEnded: new Counter({ name: 'gambit_reaper_games_ended_total', help: 'Games the controller ended, by reason (abandoned, timeout)', labelNames: ['reason'], registers: r }),
    conflicts: new Counter({ name: 'gambit_reaper_version_conflicts_total', help: 'Room commits retried because an engine changed the room first', registers: r }),
    gateways: new Gauge({ name: 'gambit_reaper_gateways', help: 'Gateways in the registry, by state (alive, dead, unresponsive, no-pod)', labelNames: ['state'], registers: r }),
    deadGateways: new Counter({ name: 'gambit_reaper_dead_gateways_cleaned_total', help: 'Dead gateways whose connections were disconnected and registry entries removed', registers: r }),
    leftoverConnections: new Counter({ name: 'gambit_reaper_leftover_connections_total', help: 'Connections of a restarted gateway container (same pod) disconnected and removed from the registry', registers: r }),
    disconnects: new Counter({ name: 'gambit_reaper_disconnects_sent_total', help: 'disconnect commands sent for connections of dead gateways', registers: r }),
    streamLength: new Gauge({ name: 'gambit_reaper_stream_length', help: 'Entries in a stream', labelNames: ['stream'], registers: r }),
    streamPending: new Gauge({ name: 'gambit_reaper_stream_pending', help: 'Entries delivered and not yet acknowledged, by stream and group', labelNames: ['stream', 'group'], registers: r }),
    streamLag: new Gauge({ name: 'gambit_reaper_stream_lag', help: 'Entries not yet delivered to the group, by stream and group', labelNames: ['stream', 'group'], registers: r }),
    streamStuck: new Gauge({ name: 'gambit_reaper_stream_stuck', help: 'Entries pending longer than STUCK_PENDING_MS, by stream and group', labelNames: ['stream', 'group'], registers: r }),
    streamTrimmed: new Counter({ name: 'gambit_reaper_stream_trimmed_total', help: 'Acknowledged entries removed by XTRIM MINID', labelNames: ['stream'], registers: r }),
    consumersRemoved: new Counter({ name: 'gambit_reaper_consumers_removed_total', help: 'Idle consumers with nothing pending removed from their group', labelNames: ['stream', 'group'], registers: r }),
    orphanStreams: new Counter({ name: 'gambit_reaper_orphan_streams_deleted_total', help: 'Event streams of unregistered gateways deleted', registers: r }),
    scaleDecisions: new Counter({ name: 'gambit_reaper_scale_decisions_total', help: 'Scaling rounds, by scaler and outcome (up, down, hold, blocked)', labelNames: ['scaler', 'outcome'], registers: r }),
    targetPerPod: new Gauge({ name: 'gambit_reaper_target_connections_per_pod', help: 'The scaler\'s target connections per pod, by scaler', labelNames: ['scaler'], registers: r }),
    desiredReplicas: new Gauge({ name: 'gambit_reaper_desired_replicas', help: 'Replicas the scaler wants, by scaler', labelNames: ['scaler'], registers: r }),
    connections: new Gauge({ name: 'gambit_reaper_connections', help: 'Live connections reported by the pods of the scaled Deployment, by scaler', labelNames: ['scaler'], registers: r }),
    informerRestarts: new Counter({ name: 'gambit_reaper_informer_restarts_total', help: 'Pod informer restarts, by reason (gone: re-list after 410, dropped, error, timeout)', labelNames: ['reason'], registers: r }),
  };
  // Every known series exists from the start (0, not "no data") for dashboards and alerts.
  for (const reason of ['abandoned', 'timeout']) m.gamesEnded.inc({ reason }, 0);
  m.roomsReaped.inc({ event: 'gone' }, 0);
  for (const loop of ['rooms', 'gateways', 'streams', 'scaling']) m.errors.inc({ loop }, 0);
  for (const reason of ['gone', 'closed', 'error', 'timeout']) m.informerRestarts.inc({ reason }, 0);
  for (const to of ['leader', 'standby']) m.leaderTransitions.inc({ to }, 0);
  return m;
}
export type ControllerMetrics = ReturnType<typeof controllerMetrics>;

/**
 * The engine's metric hooks, its game and room counters pointed at the controller's: the engine
 * reports a transition only when its own commit won, so these count exactly what the controller
 * did. The engine's other metrics go to a registry nobody scrapes.
 */
export function engineHooks(m: ControllerMetrics): EngineMetrics {
  return { ...engineMetrics(new Registry()), games: m.gamesEnded, rooms: m.roomsReaped, conflicts: m.conflicts };
}
