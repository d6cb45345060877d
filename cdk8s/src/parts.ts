// Pieces every component's constructs share (chart.ts, accounts.ts): the fixed ports and UIDs,
// metadata, the Redis environment, ConfigMaps with their checksum, ClusterIP Services, and the
// names of Secrets and endpoints several components point at.
import { randomBytes } from 'node:crypto';
import { Construct } from 'constructs';
import * as kplus from './plus.js';
import type { Binding } from './binding.js';
import { raw } from './raw.js';
import { annotate } from './workload.js';

/** Ports of the services (fixed by the images, not settings). */
export const PORTS = { gateway: 8080, engineMetrics: 9101, finalizer: 8082, accounts: 8070, idProvider: 8090, redis: 6379, dynamodb: 8000 } as const;
/** UIDs the containers run as: ours (see the Containerfiles), Redis's, DynamoDB Local's and coturn's images (nobody). */
export const UIDS = { gambit: 10001, redis: 999, dynamodb: 1000, coturn: 65534 } as const;

/** 48 random characters from [A-Za-z0-9], like Helm's randAlphaNum 48 (generated secrets of plain manifests). */
export function randomText(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(48)].map((x) => alphabet[x % alphabet.length]).join('');
}

export function meta(b: Binding, component: string, name = b.s(b.name(component)), annotations: Record<string, string> = {}) {
  return { name, labels: b.labels(component), ...b.annotations(annotations) };
}

/** REDIS_PASSWORD (when auth is on) and REDIS_URL, which may use it through $(REDIS_PASSWORD). */
export function redisEnv(b: Binding) {
  const auth = b.truthy((v) => v.redis.auth.existingSecret);
  return [
    {
      cond: auth,
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: b.s((v) => v.redis.auth.existingSecret), key: b.s((v) => v.redis.auth.passwordKey) } },
    },
    { cond: b.always, name: 'REDIS_URL', value: b.s(redisUrl(b)) },
    { cond: b.and(b.not(b.truthy((v) => v.redis.bundled.enabled)), b.truthy((v) => v.redis.external.cluster)), name: 'REDIS_MODE', value: 'cluster' },
  ];
}

/** REDIS_EVENTS_FROM_REPLICAS for the gateways on a Redis Cluster, when asked. */
export function redisEventsFromReplicasEnv(b: Binding) {
  return {
    cond: b.and(b.not(b.truthy((x) => x.redis.bundled.enabled)), b.and(b.truthy((x) => x.redis.external.cluster), b.truthy((x) => x.redis.external.replicaReads))),
    name: 'REDIS_EVENTS_FROM_REPLICAS',
    value: 'true',
  };
}

/** REDIS_EVENTS_URL for the gateways: your Redis's reader endpoint, when one is given. */
export function redisEventsEnv(b: Binding) {
  const v = b.values;
  const auth = v.redis.auth.existingSecret ? ':$(REDIS_PASSWORD)@' : '';
  const literal = `${v.redis.external.tls ? 'rediss' : 'redis'}://${auth}${v.redis.external.readerHost}:${v.redis.external.port}`;
  return {
    cond: b.and(b.not(b.truthy((x) => x.redis.bundled.enabled)), b.truthy((x) => x.redis.external.readerHost)),
    name: 'REDIS_EVENTS_URL',
    value: b.s(b.computed('include "gambit.redisEventsUrl" .', literal)),
  };
}

export function redisUrl(b: Binding) {
  const v = b.values;
  const auth = v.redis.auth.existingSecret ? ':$(REDIS_PASSWORD)@' : '';
  const literal = v.redis.bundled.enabled
    ? `redis://${auth}${b.name('redis').literal}:${PORTS.redis}`
    : `${v.redis.external.tls ? 'rediss' : 'redis'}://${auth}${v.redis.external.host}:${v.redis.external.port}`;
  return b.computed('include "gambit.redisUrl" .', literal);
}

export function configMap(scope: Construct, b: Binding, component: string, data: Record<string, string>): kplus.ConfigMap {
  const cm = new kplus.ConfigMap(scope, 'config', { metadata: { name: b.s(b.name(component)), labels: b.labels(component) }, data });
  annotate(cm, b.annotations());
  return cm;
}

/** Rolls the pods when their ConfigMap changes. */
export function configChecksum(b: Binding, component: string, cm: kplus.ConfigMap): Record<string, string> {
  return { 'checksum/config': b.s(b.computed(`include (print $.Template.BasePath "/${component}/configmap.yaml") . | sha256sum`, checksumOf(cm))) };
}
function checksumOf(cm: kplus.ConfigMap): string {
  // plain manifests: a hash of the data, so a change of settings still changes the pod template
  return hash(JSON.stringify(cm.data));
}
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export function clusterService(scope: Construct, b: Binding, component: string, ports: { name: string; port: number }[], name = b.s(b.name(component))) {
  return raw(scope, 'service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(b, component, name),
    spec: {
      type: 'ClusterIP',
      selector: b.selector(component),
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' })),
    },
  });
}

/** The Secret with the socket-token signing key: the operator's (auth.existingSecret) or the generated one. */
export function tokenSecretName(b: Binding) {
  const v = b.values;
  return b.computed('include "gambit.tokenSecretName" .', v.auth.existingSecret || b.name('token').literal);
}

export function dynamoEndpoint(b: Binding) {
  const v = b.values;
  return b.computed('include "gambit.dynamodbEndpoint" .', v.dynamodb.local.enabled ? `http://${b.name('dynamodb').literal}:${PORTS.dynamodb}` : v.dynamodb.endpoint);
}
