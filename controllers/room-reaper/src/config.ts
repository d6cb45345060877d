// The controller's settings, from environment variables (docs/controller.md lists them all). A bad
// value, or settings that contradict each other, stop the process at start naming the variable.
import { hostname } from 'node:os';
import { z } from 'zod';
import { commonConfig, env, loadConfig } from '@gambit/common';

const name = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'a Kubernetes object name (lowercase letters, digits, - and .)');

export const controllerConfigSchema = z
  .object({
    ...commonConfig,
    /** `in-cluster` (service account), `kubeconfig` (KUBECONFIG or ~/.kube/config), or `off` (Redis only, no leader election, no scaling). */
    KUBERNETES: z.enum(['in-cluster', 'kubeconfig', 'off']).default('in-cluster'),
    /** This replica's identity in the Lease (the pod name, from the downward API). */
    POD_NAME: z.string().min(1).default(hostname()),
    /** Namespace of the Lease, the gateway pods and the ConnectionScalers. */
    POD_NAMESPACE: name.default('default'),
    LEASE_NAME: name.default('gambit-room-reaper'),
    LEASE_DURATION_MS: env.int(15_000, 1_000, 300_000),
    LEASE_RENEW_DEADLINE_MS: env.int(10_000, 500, 300_000),
    LEASE_RETRY_MS: env.int(2_000, 100, 60_000),
    /** Label selector of the gateway pods (their names are the gateway ids, GATEWAY_ID = pod name). */
    GATEWAY_SELECTOR: z.string().min(1).default('app.kubernetes.io/component=gateway'),
    /** The gateway's container in those pods (when it restarts, the sockets of the process before it are disconnected). */
    GATEWAY_CONTAINER: z.string().min(1).default('gateway'),
    /** Must equal the engines' ROOM_TTL_MS: a room the controller ends expires this long after. */
    ROOM_TTL_MS: env.int(60 * 60_000, 1_000),
    ROOM_LOG_CAP: env.int(256, 16, 10_000),
    /** How often the deadline sets are scanned (engines scan every 100 ms; this is the backstop). */
    REAP_EVERY_MS: env.int(1_000, 10, 60_000),
    REAP_BATCH: env.int(200, 1, 10_000),
    /** How often the gateway registry is checked for dead gateways (also on every pod deletion). */
    GATEWAY_SCAN_MS: env.int(2_000, 10, 60_000),
    /** A gateway whose heartbeat is older than this and whose pod is gone (or unknown) is dead. */
    GATEWAY_STALE_MS: env.int(20_000, 1_000, 3_600_000),
    HOUSEKEEPING_EVERY_MS: env.int(15_000, 10, 3_600_000),
    /** Stream entries pending longer than this are reported (metric and log) as stuck. */
    STUCK_PENDING_MS: env.int(60_000, 100, 86_400_000),
    /** Entries every group has acknowledged are kept this long before XTRIM MINID removes them. */
    STREAM_RETAIN_MS: env.int(10 * 60_000, 0, 7 * 86_400_000),
    /** A consumer with nothing pending and idle this long is removed from its group (XGROUP DELCONSUMER). */
    CONSUMER_IDLE_MS: env.int(60 * 60_000, 1_000),
    /** An event stream of a gateway that is not in the registry is deleted once this quiet. */
    ORPHAN_STREAM_MS: env.int(5 * 60_000, 1_000),
    /** How often ConnectionScalers are reconciled (the HPA's default sync period is 15 s). */
    SCALE_EVERY_MS: env.int(15_000, 100, 3_600_000),
    METRICS_PORT: env.port(9102),
  })
  .superRefine((c, ctx) => {
    if (c.LEASE_DURATION_MS % 1000 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['LEASE_DURATION_MS'], message: 'must be whole seconds (the Lease stores leaseDurationSeconds)' });
    }
    if (c.LEASE_RENEW_DEADLINE_MS >= c.LEASE_DURATION_MS) {
      ctx.addIssue({ code: 'custom', path: ['LEASE_RENEW_DEADLINE_MS'], message: `must be below LEASE_DURATION_MS (${c.LEASE_DURATION_MS})` });
    }
    if (c.LEASE_RETRY_MS >= c.LEASE_RENEW_DEADLINE_MS) {
      ctx.addIssue({ code: 'custom', path: ['LEASE_RETRY_MS'], message: `must be below LEASE_RENEW_DEADLINE_MS (${c.LEASE_RENEW_DEADLINE_MS})` });
    }
  });

export type ControllerConfig = z.infer<typeof controllerConfigSchema>;
export const loadControllerConfig = (e: NodeJS.ProcessEnv = process.env) => loadConfig(controllerConfigSchema, e);
