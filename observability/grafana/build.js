// Writes the Grafana dashboards (JSON, Grafana 10+) from the compact definitions below:
// `node observability/grafana/build.js` (make dashboards). A test checks the committed JSON is
// what this writes, and runs every query against a real Prometheus scraping a real stack.
import { writeFileSync } from 'node:fs';

const q = (expr, legend = '') => ({ expr, legend });
const p50_99 = (metric, by = '') => [0.5, 0.9, 0.99].map((x) =>
  q(`histogram_quantile(${x}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket[$__rate_interval])))`, `p${x * 100}${by ? ` {{${by}}}` : ''}`));

export const dashboards = {
  'gambit-overview': {
    title: 'Gambit / Overview',
    panels: [
      { title: 'Players online', type: 'stat', unit: 'short', targets: [q('sum(gambit_gateway_connections)')] },
      { title: 'Games in progress', type: 'stat', unit: 'short', targets: [q('max(gambit_engine_active_games)')] },
      { title: 'Moves per second', type: 'stat', unit: 'ops', targets: [q('sum(rate(gambit_engine_moves_total[$__rate_interval]))')] },
      { title: 'Dead letters', type: 'stat', unit: 'short', targets: [q('max(gambit_finalizer_dead_letters)')] },
      { title: 'Move latency (gateway in to gateway out)', type: 'timeseries', unit: 's', targets: p50_99('gambit_gateway_move_latency_seconds') },
      { title: 'Moves per second by kind', type: 'timeseries', unit: 'ops', targets: [q('sum by (kind) (rate(gambit_engine_moves_total[$__rate_interval]))', '{{kind}}')] },
      { title: 'Errors sent by the gateway', type: 'timeseries', unit: 'ops', targets: [q('sum by (code) (rate(gambit_gateway_errors_total[$__rate_interval]))', '{{code}}')] },
      { title: 'Commands refused by the engine', type: 'timeseries', unit: 'ops', targets: [q('sum by (code) (rate(gambit_engine_commands_rejected_total[$__rate_interval]))', '{{code}}')] },
      { title: 'Games ended by reason', type: 'timeseries', unit: 'ops', targets: [q('sum by (reason) (rate(gambit_engine_games_ended_total[$__rate_interval]))', '{{reason}}')] },
      { title: 'Redis reachable', type: 'timeseries', unit: 'short', targets: [q('min by (component) (gambit_redis_up)', '{{component}}')] },
    ],
  },
  'gambit-gateway': {
    title: 'Gambit / Gateway',
    panels: [
      { title: 'Connections per pod', type: 'timeseries', unit: 'short', targets: [q('sum by (instance) (gambit_gateway_connections)', '{{instance}}')] },
      { title: 'Connections opened and closed', type: 'timeseries', unit: 'ops', targets: [
        q('sum(rate(gambit_gateway_connections_opened_total[$__rate_interval]))', 'opened'),
        q('sum by (code) (rate(gambit_gateway_closes_total[$__rate_interval]))', 'closed {{code}}')] },
      { title: 'Frames in by type', type: 'timeseries', unit: 'ops', targets: [q('sum by (type) (rate(gambit_gateway_frames_total[$__rate_interval]))', '{{type}}')] },
      { title: 'Frames out by type', type: 'timeseries', unit: 'ops', targets: [q('sum by (type) (rate(gambit_gateway_frames_out_total[$__rate_interval]))', '{{type}}')] },
      { title: 'Bytes', type: 'timeseries', unit: 'Bps', targets: [
        q('sum(rate(gambit_gateway_bytes_in_total[$__rate_interval]))', 'in'), q('sum(rate(gambit_gateway_bytes_out_total[$__rate_interval]))', 'out')] },
      { title: 'Handshake failures and rate limiting', type: 'timeseries', unit: 'ops', targets: [
        q('sum by (reason) (rate(gambit_gateway_auth_failures_total[$__rate_interval]))', '{{reason}}'),
        q('sum(rate(gambit_gateway_rate_limited_total[$__rate_interval]))', 'rate limited')] },
      { title: 'Event fan-out latency (engine write to socket send)', type: 'timeseries', unit: 's', targets: p50_99('gambit_gateway_fanout_seconds') },
      { title: 'Chat lines and reports', type: 'timeseries', unit: 'ops', targets: [
        q('sum by (channel) (rate(gambit_chat_lines_total[$__rate_interval]))', '{{channel}}'),
        q('sum(rate(gambit_chat_reports_total[$__rate_interval]))', 'reports')] },
      { title: 'Video calls (as the pages report them)', type: 'timeseries', unit: 'ops', targets: [
        q('sum by (state) (rate(gambit_video_sessions_total[$__rate_interval]))', '{{state}}')] },
      { title: 'Share of connected calls relayed by TURN', type: 'timeseries', unit: 'percentunit', targets: [
        q('sum(rate(gambit_video_relayed_total[$__rate_interval])) / sum(rate(gambit_video_sessions_total{state="connected"}[$__rate_interval]))', 'relayed')] },
      { title: 'Draining pods', type: 'timeseries', unit: 'short', targets: [q('sum(gambit_gateway_draining)')] },
      { title: 'Event loop delay p99', type: 'timeseries', unit: 's', targets: [q('max by (instance) (gambit_nodejs_eventloop_lag_p99_seconds{component="gateway"})', '{{instance}}')] },
      { title: 'Resident memory', type: 'timeseries', unit: 'bytes', targets: [q('sum by (instance) (gambit_process_resident_memory_bytes{component="gateway"})', '{{instance}}')] },
    ],
  },
  'gambit-engine': {
    title: 'Gambit / Engine and streams',
    panels: [
      { title: 'Commands by type and outcome', type: 'timeseries', unit: 'ops', targets: [q('sum by (type, outcome) (rate(gambit_engine_command_seconds_count[$__rate_interval]))', '{{type}} {{outcome}}')] },
      { title: 'Command handling time', type: 'timeseries', unit: 's', targets: p50_99('gambit_engine_command_seconds') },
      { title: 'Active games', type: 'timeseries', unit: 'short', targets: [q('max(gambit_engine_active_games)')] },
      { title: 'Room lifecycle', type: 'timeseries', unit: 'ops', targets: [q('sum by (event) (rate(gambit_engine_rooms_total[$__rate_interval]))', '{{event}}')] },
      { title: 'Version conflicts between engines', type: 'timeseries', unit: 'ops', targets: [q('sum(rate(gambit_engine_version_conflicts_total[$__rate_interval]))')] },
      { title: 'Stream lag (not yet delivered)', type: 'timeseries', unit: 'short', targets: [q('max by (stream) (gambit_stream_lag)', '{{stream}}')] },
      { title: 'Stream pending (delivered, not acknowledged)', type: 'timeseries', unit: 'short', targets: [q('max by (stream) (gambit_stream_pending)', '{{stream}}')] },
      { title: 'Stream length', type: 'timeseries', unit: 'short', targets: [q('max by (stream) (gambit_stream_length)', '{{stream}}')] },
      { title: 'Stale entries claimed', type: 'timeseries', unit: 'ops', targets: [q('sum by (stream) (rate(gambit_stream_claimed_total[$__rate_interval]))', '{{stream}}')] },
      { title: 'Engine CPU', type: 'timeseries', unit: 'percentunit', targets: [q('sum by (instance) (rate(gambit_process_cpu_seconds_total{component="game-engine"}[$__rate_interval]))', '{{instance}}')] },
    ],
  },
  'gambit-finalizer': {
    title: 'Gambit / Finalizer and DynamoDB',
    panels: [
      { title: 'Games by outcome', type: 'timeseries', unit: 'ops', targets: [q('sum by (outcome) (rate(gambit_finalizer_games_total[$__rate_interval]))', '{{outcome}}')] },
      { title: 'Finalize lag (game end to durable record)', type: 'timeseries', unit: 's', targets: p50_99('gambit_finalizer_lag_seconds') },
      { title: 'DynamoDB write time', type: 'timeseries', unit: 's', targets: p50_99('gambit_finalizer_write_duration_seconds') },
      { title: 'Retries and DynamoDB errors', type: 'timeseries', unit: 'ops', targets: [
        q('sum(rate(gambit_finalizer_retries_total[$__rate_interval]))', 'retries'),
        q('sum by (error) (rate(gambit_finalizer_dynamodb_errors_total[$__rate_interval]))', '{{error}}')] },
      { title: 'Dead letters waiting', type: 'timeseries', unit: 'short', targets: [q('max(gambit_finalizer_dead_letters)')] },
      { title: 'Finalize stream backlog', type: 'timeseries', unit: 'short', targets: [
        q('max(gambit_stream_lag{stream="finalize"})', 'lag'), q('max(gambit_stream_pending{stream="finalize"})', 'pending')] },
    ],
  },
  'gambit-controller': {
    title: 'Gambit / Controller and scaling',
    panels: [
      { title: 'Leader', type: 'stat', unit: 'short', targets: [q('max(gambit_reaper_leader)')] },
      { title: 'Gateways by state', type: 'stat', unit: 'short', targets: [q('max by (state) (gambit_reaper_gateways)', '{{state}}')] },
      { title: 'Connections and target per pod', type: 'timeseries', unit: 'short', targets: [
        q('max by (scaler) (gambit_reaper_connections)', 'connections {{scaler}}'),
        q('max by (scaler) (gambit_reaper_target_connections_per_pod)', 'target per pod {{scaler}}')] },
      { title: 'Desired gateway replicas', type: 'timeseries', unit: 'short', targets: [q('max by (scaler) (gambit_reaper_desired_replicas)', '{{scaler}}')] },
      { title: 'Scale decisions', type: 'timeseries', unit: 'ops', targets: [q('sum by (outcome) (rate(gambit_reaper_scale_decisions_total[$__rate_interval]))', '{{outcome}}')] },
      { title: 'Reconcile time by loop', type: 'timeseries', unit: 's', targets: [q('histogram_quantile(0.99, sum by (le, loop) (rate(gambit_reaper_reconcile_seconds_bucket[$__rate_interval])))', 'p99 {{loop}}')] },
      { title: 'Reconcile errors by loop', type: 'timeseries', unit: 'ops', targets: [q('sum by (loop) (rate(gambit_reaper_reconcile_errors_total[$__rate_interval]))', '{{loop}}')] },
      { title: 'Rooms and games the controller ended', type: 'timeseries', unit: 'ops', targets: [
        q('sum by (event) (rate(gambit_reaper_rooms_total[$__rate_interval]))', 'rooms {{event}}'),
        q('sum by (reason) (rate(gambit_reaper_games_ended_total[$__rate_interval]))', 'games {{reason}}')] },
      { title: 'Dead gateways cleaned and disconnects sent', type: 'timeseries', unit: 'ops', targets: [
        q('sum(rate(gambit_reaper_dead_gateways_cleaned_total[$__rate_interval]))', 'gateways'),
        q('sum(rate(gambit_reaper_disconnects_sent_total[$__rate_interval]))', 'disconnects')] },
      { title: 'Stuck stream entries', type: 'timeseries', unit: 'short', targets: [q('max by (stream) (gambit_reaper_stream_stuck)', '{{stream}}')] },
    ],
  },
};

/** One Grafana 10 dashboard: a datasource variable, no hard-coded datasource uid. */
export function toGrafana(uid, { title, panels }) {
  const ds = { type: 'prometheus', uid: '${datasource}' };
  let x = 0;
  let y = 0;
  return {
    uid, title, tags: ['gambit'], timezone: 'browser', schemaVersion: 39, version: 1, editable: true,
    time: { from: 'now-1h', to: 'now' }, refresh: '30s',
    templating: { list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }] },
    annotations: { list: [] },
    panels: panels.map((panel, i) => {
      const w = panel.type === 'stat' ? 6 : 12;
      const h = panel.type === 'stat' ? 4 : 8;
      if (x + w > 24) { x = 0; y += h; }
      const gridPos = { x, y, w, h };
      x += w;
      return {
        id: i + 1, type: panel.type, title: panel.title, datasource: ds, gridPos,
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        options: panel.type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] } } : { legend: { displayMode: 'list', placement: 'bottom' } },
        targets: panel.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource: ds, expr: t.expr, legendFormat: t.legend })),
      };
    }),
  };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  for (const [uid, d] of Object.entries(dashboards)) {
    writeFileSync(new URL(`./${uid}.json`, import.meta.url), `${JSON.stringify(toGrafana(uid, d), null, 2)}\n`);
  }
  console.log(`wrote ${Object.keys(dashboards).length} dashboards`);
}
