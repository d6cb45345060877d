// The Helm chart, checked with the real helm (from the npm package, scripts/helm-tools.mjs):
// committed == generated from cdk8s/, lint --strict and template for every profile, every object
// valid against the Kubernetes schemas, the security policy over every pod, the NetworkPolicy
// trust chain, the gateway's drain, the values schema refusing bad values, and the chart agreeing
// with the plain manifests the same cdk8s code synthesizes.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build, generatedChart } from '../../cdk8s/src/helm.js';
import { readInputs } from '../../cdk8s/src/inputs.js';
import { eksLeanProfile, eksProfile, kindProfile, mergeValues } from '../../cdk8s/src/profiles.js';
import { defaultValues } from '../../cdk8s/src/values.js';
import { parseYaml, parseYamlAll } from '../../cdk8s/src/yaml.js';
import {
  PLAINTEXT, PLAINTEXT_VALUES, allowed, byKind, chartDir, helm, named, pods, policiesFor, profileFiles, render, renderNotes, selects, validateObject,
  type Container, type K8sObject, type PodView, type Policy, type Rule,
} from './support.js';

const PROFILES = ['default', 'kind', 'eks', 'lean'] as const;
type ProfileName = (typeof PROFILES)[number];
/** Everything optional switched on at once, so no template goes unrendered. */
const EVERYTHING = [
  'monitoring.serviceMonitor.enabled=true', 'monitoring.prometheusRule.enabled=true', 'monitoring.dashboards.enabled=true',
  'redis.auth.existingSecret=redis-auth', 'redis.bundled.persistence.enabled=true', 'redis.bundled.persistence.storageClass=gp3',
  'gateway.nlb.certificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/abc', 'gateway.nlb.proxyProtocol=true',
  'gateway.service.loadBalancerSourceRanges[0]=10.0.0.0/8', 'commonLabels.team=chess', 'commonAnnotations.owner=sre',
  'gateway.podAnnotations.example=yes', 'gateway.nodeSelector.pool=a', 'gateway.tolerations[0].key=k', 'gateway.tolerations[0].operator=Exists',
  'imagePullSecrets[0].name=regcred', 'gateway.image.digest=sha256:' + 'a'.repeat(64),
  // accounts with the embedded provider on its own NLB, TLS and source ranges
  'accounts.enabled=true', 'accounts.publicUrl=https://chess.example.com', 'idProvider.enabled=true', 'idProvider.issuer=https://id.chess.example.com',
  'idProvider.nlb.certificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/def', 'idProvider.service.loadBalancerSourceRanges[0]=10.0.0.0/8',
  // the Alertmanager configuration with SNS (test/k8s/alerting.test.ts checks it with amtool)
  'monitoring.alertmanager.enabled=true', 'monitoring.alertmanager.sns.enabled=true',
  'monitoring.alertmanager.sns.topicArn=arn:aws:sns:eu-west-1:123456789012:gambit-alerts', 'monitoring.alertmanager.sns.region=eu-west-1',
  // coturn for video calls with TURN over TLS (test/k8s/turn.test.ts checks it in detail)
  'turn.enabled=true', 'turn.urls[0]=turn:turn.example.com:3478?transport=udp', 'turn.urls[1]=turns:turn.example.com:5349?transport=tcp',
  'turn.stunUrls[0]=stun:turn.example.com:3478', 'turn.tls.existingSecret=turn-tls', 'turn.nodeSelector.pool=turn',
];

const rendered = {} as Record<ProfileName | 'everything', K8sObject[]>;
let crds: Record<string, unknown>[] = [];

beforeAll(() => {
  for (const p of PROFILES) rendered[p] = render({ files: profileFiles[p] });
  rendered.everything = render({ set: EVERYTHING });
  crds = readdirSync(join(chartDir, 'crds')).flatMap((f) => parseYamlAll(readFileSync(join(chartDir, 'crds', f), 'utf8')) as Record<string, unknown>[]);
});

describe('generation', () => {
  test('charts/gambit is exactly what cdk8s/ generates (run `make chart` after changing cdk8s/)', async () => {
    const files = await generatedChart();
    const committed = (dir: string, prefix = ''): string[] =>
      readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? committed(dir, join(prefix, e.name)) : [join(prefix, e.name)]));
    expect(committed(chartDir).sort()).toEqual(Object.keys(files).sort());
    for (const [file, text] of Object.entries(files)) expect({ file, text: readFileSync(join(chartDir, file), 'utf8') }).toEqual({ file, text });
  });

  test('the observability files are carried verbatim (alert rules keep their {{ $labels }})', () => {
    const alerts = join(chartDir, 'files/prometheus/alerts.yml');
    expect(readFileSync(alerts, 'utf8')).toBe(readFileSync(join(chartDir, '../../observability/prometheus/alerts.yml'), 'utf8'));
    const rule = named(rendered.everything, 'PrometheusRule', 'gambit-alerts') as unknown as { spec: { groups: { rules: { annotations?: Record<string, string> }[] }[] } };
    expect(rule.spec.groups).toEqual((parseYaml(readFileSync(alerts, 'utf8')) as unknown as { groups: unknown }).groups);
  });
});

describe('helm lint --strict and template', () => {
  test.each(PROFILES)('%s values lint clean', (p) => {
    const r = helm(['lint', '--strict', chartDir, ...profileFiles[p].flatMap((f) => ['-f', f]), ...(p === 'default' ? ['--set', PLAINTEXT] : [])]);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  test('every option at once renders and lints', () => {
    const r = helm(['lint', '--strict', chartDir, ...EVERYTHING.flatMap((s) => ['--set', s])]);
    expect(r.status).toBe(0);
  });

  test.each([...PROFILES, 'everything'] as const)('%s: every object is valid against its schema (kubernetes-models)', async (p) => {
    const objects = rendered[p];
    expect(objects.length).toBeGreaterThan(15);
    for (const o of objects) await validateObject(o, crds);
  });

  test('the CRDs in crds/ are valid CustomResourceDefinitions', async () => {
    expect(crds.length).toBeGreaterThan(0);
    for (const c of crds) await validateObject(c as K8sObject);
  });

  test('a schema violation is caught by the validation (it can fail)', async () => {
    const gw = structuredClone(named(rendered.default, 'Deployment', 'gambit-gateway')) as unknown as { spec: { replicas: unknown } };
    gw.spec.replicas = 'two';
    await expect(validateObject(gw as unknown as K8sObject)).rejects.toThrow(/replicas must be integer/);
    const scaler = structuredClone(named(rendered.default, 'ConnectionScaler', 'gambit-gateway')) as unknown as { spec: { maxReplicas: unknown } };
    scaler.spec.maxReplicas = 'many';
    await expect(validateObject(scaler as unknown as K8sObject, crds)).rejects.toThrow(/maxReplicas/);
  });

  test('what each profile contains', () => {
    const kinds = (p: ProfileName | 'everything') => rendered[p].map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds('default')).toEqual(expect.arrayContaining([
      'Deployment/gambit-gateway', 'Deployment/gambit-game-engine', 'Deployment/gambit-finalizer', 'Deployment/gambit-room-reaper',
      'Deployment/gambit-redis', 'HorizontalPodAutoscaler/gambit-game-engine', 'ConnectionScaler/gambit-gateway', 'Secret/gambit-token',
      'Role/gambit-room-reaper', 'RoleBinding/gambit-room-reaper', 'NetworkPolicy/gambit-default-deny', 'Pod/gambit-test-ping',
    ]));
    expect(kinds('default')).not.toContain('Deployment/gambit-dynamodb');
    expect(kinds('kind')).toEqual(expect.arrayContaining(['Deployment/gambit-redis', 'Deployment/gambit-dynamodb']));
    expect(kinds('eks')).not.toContain('Deployment/gambit-redis');
    expect(kinds('eks')).toEqual(expect.arrayContaining(['ServiceMonitor/gambit-gateway', 'PrometheusRule/gambit-alerts', 'ConfigMap/gambit-gambit-gambit-overview']));
    expect(kinds('everything')).toContain('PersistentVolumeClaim/gambit-redis');
    expect(kinds('everything')).toEqual(expect.arrayContaining(['Deployment/gambit-turn', 'Secret/gambit-turn', 'ServiceMonitor/gambit-turn', 'NetworkPolicy/gambit-turn']));
    for (const p of PROFILES) expect(kinds(p).filter((k) => k.endsWith('-turn'))).toEqual([]);
  });
});

// --- policy over every pod ------------------------------------------------------------------------

const allPods = () => PROFILES.flatMap((p) => pods(rendered[p]).map((pod) => ({ ...pod, profile: p }))).concat(pods(rendered.everything).map((pod) => ({ ...pod, profile: 'everything' as ProfileName })));
const containersOf = (pod: PodView): Container[] => [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
const isTestPod = (pod: PodView) => pod.owner.startsWith('Pod/');

describe('secure defaults on every pod', () => {
  test('non-root, read-only root filesystem, no privilege escalation, no capabilities, seccomp RuntimeDefault', () => {
    for (const pod of allPods()) {
      const podCtx = pod.spec.securityContext ?? {};
      for (const c of containersOf(pod)) {
        const ctx = { ...podCtx, ...(c.securityContext ?? {}) } as Record<string, unknown>;
        const where = `${pod.profile} ${pod.owner} ${c.name}`;
        expect({ where, runAsNonRoot: ctx.runAsNonRoot }).toEqual({ where, runAsNonRoot: true });
        expect({ where, uid: typeof ctx.runAsUser === 'number' && ctx.runAsUser > 0 }).toEqual({ where, uid: true });
        expect({ where, ro: c.securityContext?.readOnlyRootFilesystem }).toEqual({ where, ro: true });
        expect({ where, ape: c.securityContext?.allowPrivilegeEscalation }).toEqual({ where, ape: false });
        expect({ where, caps: (c.securityContext?.capabilities as unknown as { drop?: string[] })?.drop }).toEqual({ where, caps: ['ALL'] });
        expect({ where, seccomp: (ctx.seccompProfile as unknown as { type?: string })?.type }).toEqual({ where, seccomp: 'RuntimeDefault' });
      }
    }
  });

  test('the API token is mounted only where the API is used (the controller)', () => {
    for (const pod of allPods()) {
      const uses = pod.owner.endsWith('room-reaper');
      expect({ owner: pod.owner, automount: pod.spec.automountServiceAccountToken }).toEqual({ owner: pod.owner, automount: uses });
    }
  });

  test('resources: CPU and memory requests and a memory limit on every container', () => {
    for (const pod of allPods()) {
      for (const c of containersOf(pod)) {
        const r = c.resources ?? {};
        expect({ c: `${pod.owner}/${c.name}`, cpu: !!r.requests?.cpu, mem: !!r.requests?.memory, limit: !!r.limits?.memory })
          .toEqual({ c: `${pod.owner}/${c.name}`, cpu: true, mem: true, limit: true });
      }
    }
  });

  test('liveness, readiness and startup probes on every long-running container', () => {
    for (const pod of allPods().filter((p) => !isTestPod(p))) {
      for (const c of pod.spec.containers) {
        expect({ c: `${pod.owner}/${c.name}`, live: !!c.livenessProbe, ready: !!c.readinessProbe, startup: !!c.startupProbe })
          .toEqual({ c: `${pod.owner}/${c.name}`, live: true, ready: true, startup: true });
      }
    }
  });

  test('images: a pinned tag (never latest) on every container', () => {
    for (const pod of allPods()) {
      for (const c of containersOf(pod)) {
        const m = /^(?:[^/]+\/)*[^/:@]+(?::([^@]+))?(?:@sha256:[a-f0-9]{64})?$/.exec(c.image);
        expect({ image: c.image, ok: !!m && !!m[1] && m[1] !== 'latest' }).toEqual({ image: c.image, ok: true });
      }
    }
  });

  test('no secret in a plain environment value or ConfigMap; secrets come from secretKeyRef', () => {
    const secretish = /(SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE|SIGNING|ACCESS_KEY|API_KEY|COOKIE)/i;
    // settings about tokens, not tokens
    const notSecret = new Set(['GUEST_TOKENS', 'TOKEN_TTL_SECONDS', 'OIDC_TOKEN_USE', 'SOCKET_TOKEN_TTL_SECONDS']);
    for (const p of [...PROFILES, 'everything'] as const) {
      for (const pod of pods(rendered[p])) {
        for (const c of containersOf(pod)) {
          for (const e of c.env ?? []) {
            if (secretish.test(e.name) && !notSecret.has(e.name)) expect({ env: e.name, from: e.valueFrom && 'secretKeyRef' in (e.valueFrom as object) }).toEqual({ env: e.name, from: true });
            // a URL with a literal password (REDIS_URL may only use $(REDIS_PASSWORD))
            if (e.value) expect({ env: e.name, cred: /:\/\/[^/@\s]*:(?!\$\()[^@/\s]+@/.test(e.value) }).toEqual({ env: e.name, cred: false });
          }
        }
      }
      for (const cm of byKind(rendered[p], 'ConfigMap')) {
        for (const [k, v] of Object.entries((cm as unknown as { data?: Record<string, string> }).data ?? {})) {
          if (k.endsWith('.json') || k.endsWith('.mjs')) continue;
          expect({ cm: cm.metadata.name, key: k, secret: secretish.test(k) && !notSecret.has(k) }).toEqual({ cm: cm.metadata.name, key: k, secret: false });
          expect({ key: k, cred: /:\/\/[^/@\s]*:[^@/\s]+@/.test(v) }).toEqual({ key: k, cred: false });
        }
      }
    }
    const gw = named(rendered.everything, 'Deployment', 'gambit-gateway');
    const env = pods([gw])[0]!.spec.containers[0]!.env!;
    expect(env.map((e) => e.name).slice(0, 2)).toEqual(['REDIS_PASSWORD', 'REDIS_URL']); // defined before use
    expect(env.find((e) => e.name === 'REDIS_URL')?.value).toBe('redis://:$(REDIS_PASSWORD)@gambit-redis:6379');
  });

  test('every workload spreads across zones and nodes, and has a PodDisruptionBudget', () => {
    for (const p of PROFILES) {
      const objs = rendered[p];
      for (const d of byKind(objs, 'Deployment')) {
        const pod = pods([d])[0]!;
        const component = pod.labels['app.kubernetes.io/component']!;
        if (['redis', 'dynamodb'].includes(component)) continue; // single development pods
        const pdb = byKind(objs, 'PodDisruptionBudget').find((b) => selects((b as unknown as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector, pod.labels));
        expect({ d: d.metadata.name, pdb: !!pdb }).toEqual({ d: d.metadata.name, pdb: true });
        const keys = (pod.spec.topologySpreadConstraints ?? []).map((t) => (t as unknown as { topologyKey: string }).topologyKey);
        const expected = p === 'kind' ? [] : ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'];
        expect({ p, d: d.metadata.name, keys }).toEqual({ p, d: d.metadata.name, keys: expected });
      }
    }
  });
});

// --- network policies ------------------------------------------------------------------------------

describe('NetworkPolicies: default deny, then the trust chain', () => {
  const labels = (objects: K8sObject[], component: string) => {
    const d = byKind(objects, 'Deployment').find((x) => x.metadata.name === `gambit-${component}`);
    if (!d) throw new Error(`no ${component}`);
    return pods([d])[0]!.labels;
  };

  test.each([...PROFILES, 'everything'] as const)('%s: every pod is under the default deny and under a policy of its own', (p) => {
    const objects = rendered[p];
    for (const pod of pods(objects)) {
      const ps = policiesFor(objects, pod.labels);
      expect({ pod: pod.owner, deny: ps.some((x) => x.metadata.name === 'gambit-default-deny' && x.spec.policyTypes.join() === 'Ingress,Egress' && !x.spec.ingress && !x.spec.egress) })
        .toEqual({ pod: pod.owner, deny: true });
      expect({ pod: pod.owner, own: ps.some((x) => x.metadata.name !== 'gambit-default-deny') }).toEqual({ pod: pod.owner, own: true });
    }
  });

  test('the paths of the design are open, and only those (bundled Redis profile)', () => {
    const o = rendered.kind;
    const L = (c: string) => labels(o, c);
    const open: [string, string, number][] = [
      ['gateway', 'redis', 6379], ['game-engine', 'redis', 6379], ['finalizer', 'redis', 6379], ['room-reaper', 'redis', 6379],
      ['gateway', 'finalizer', 8082], ['finalizer', 'dynamodb', 8000],
    ];
    for (const [a, b2, port] of open) expect({ a, b: b2, port, ok: allowed(o, L(a), L(b2), port) }).toEqual({ a, b: b2, port, ok: true });
    const closed: [string, string, number][] = [
      ['gateway', 'game-engine', 9101], ['gateway', 'dynamodb', 8000], ['game-engine', 'finalizer', 8082], ['game-engine', 'dynamodb', 8000],
      ['redis', 'gateway', 8080], ['finalizer', 'gateway', 8080], ['room-reaper', 'dynamodb', 8000], ['gateway', 'redis', 6380],
    ];
    for (const [a, b2, port] of closed) expect({ a, b: b2, port, ok: allowed(o, L(a), L(b2), port) }).toEqual({ a, b: b2, port, ok: false });
  });

  test('outside the release: clients to gateway:8080 only; DynamoDB 443 and the Pod Identity agent only from the finalizer; the API server only from the controller', () => {
    const o = rendered.eks;
    const ipRules = (component: string, dir: 'ingress' | 'egress') =>
      policiesFor(o, labels(o, component)).flatMap((p) => p.spec[dir] ?? []).filter((r) => (r.from ?? r.to ?? []).some((peer) => peer.ipBlock));
    expect(ipRules('gateway', 'ingress').flatMap((r) => r.ports!.map((x) => x.port))).toEqual([8080]);
    for (const c of ['game-engine', 'finalizer', 'room-reaper']) expect(ipRules(c, 'ingress')).toEqual([]);
    const egressPorts = (c: string) => ipRules(c, 'egress').flatMap((r) => r.ports!.map((x) => x.port)).sort();
    expect(egressPorts('gateway')).toEqual([6379]);
    expect(egressPorts('game-engine')).toEqual([6379]);
    expect(egressPorts('finalizer')).toEqual([443, 6379, 80].sort());
    expect(egressPorts('room-reaper')).toEqual([443, 6379, 6443].sort());
    // the ElastiCache CIDRs come from the values
    const redisRule = ipRules('gateway', 'egress')[0]!;
    expect(redisRule.to).toEqual([{ ipBlock: { cidr: '192.168.0.0/16' } }]);
  });

  test('DNS is allowed to every pod, to the cluster DNS only', () => {
    for (const pod of pods(rendered.eks).filter((p) => !isTestPod(p))) {
      const dns = policiesFor(rendered.eks, pod.labels).flatMap((p) => p.spec.egress ?? []).filter((r) => r.ports?.some((x) => x.port === 53));
      expect({ pod: pod.owner, dns: dns.length }).toEqual({ pod: pod.owner, dns: 1 });
      expect(dns[0]!.to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }]);
    }
  });
});

// --- gateway drain ---------------------------------------------------------------------------------

describe('the gateway drains gracefully', () => {
  test.each([[10_000, 10], [45_000, 20], [1, 0]])('DRAIN_MS=%i, preStop %is: grace period and NLB deregistration delay cover preStop + drain', (drainMs, preStop) => {
    const objects = render({ files: profileFiles.eks, set: [`gateway.drainMs=${drainMs}`, `gateway.preStopSleepSeconds=${preStop}`] });
    const pod = pods([named(objects, 'Deployment', 'gambit-gateway')])[0]!;
    const cm = named(objects, 'ConfigMap', 'gambit-gateway') as unknown as { data: Record<string, string> };
    expect(cm.data.DRAIN_MS).toBe(String(drainMs));
    const c = pod.spec.containers[0]!;
    expect(c.lifecycle?.preStop?.sleep?.seconds).toBe(preStop);
    const needed = preStop + Math.ceil(drainMs / 1000);
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(needed);
    const svc = named(objects, 'Service', 'gambit-gateway');
    const attrs = svc.metadata.annotations!['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes']!;
    const delay = Number(/deregistration_delay\.timeout_seconds=(\d+)/.exec(attrs)![1]);
    expect(delay).toBeGreaterThanOrEqual(needed);
    expect(delay).toBeLessThan(pod.spec.terminationGracePeriodSeconds!);
    expect(attrs).toContain('deregistration_delay.connection_termination.enabled=true');
  });

  test('NLB settings from the values', () => {
    const objects = render({ files: profileFiles.eks, set: ['gateway.nlb.scheme=internal', 'gateway.nlb.crossZone=false', 'gateway.nlb.idleTimeoutSeconds=900', 'gateway.nlb.proxyProtocol=true', 'gateway.nlb.certificateArn=arn:aws:acm:eu-west-1:1:certificate/x', PLAINTEXT] });
    const svc = named(objects, 'Service', 'gambit-gateway') as K8sObject & { spec: { type: string; ports: { port: number; name: string }[] } };
    const a = svc.metadata.annotations!;
    const p = 'service.beta.kubernetes.io/aws-load-balancer-';
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(a[`${p}type`]).toBe('external');
    expect(a[`${p}nlb-target-type`]).toBe('ip');
    expect(a[`${p}scheme`]).toBe('internal');
    expect(a[`${p}attributes`]).toBe('load_balancing.cross_zone.enabled=false');
    expect(a[`${p}listener-attributes.TCP-80`]).toBe('tcp.idle_timeout.seconds=900');
    expect(a[`${p}proxy-protocol`]).toBe('*');
    expect(a[`${p}ssl-cert`]).toBe('arn:aws:acm:eu-west-1:1:certificate/x');
    expect(a[`${p}ssl-ports`]).toBe('443');
    expect(a[`${p}healthcheck-path`]).toBe('/readyz');
    expect(svc.spec.ports.map((x) => x.port)).toEqual([80, 443]);
    const kind = named(rendered.kind, 'Service', 'gambit-gateway') as K8sObject & { spec: { type: string; ports: { nodePort?: number }[] } };
    expect(kind.spec.type).toBe('NodePort');
    expect(kind.spec.ports[0]!.nodePort).toBe(30080);
    expect(Object.keys(kind.metadata.annotations ?? {}).filter((k) => k.startsWith(p))).toEqual([]);
  });
});

// --- releases, values, settings -----------------------------------------------------------------

describe('releases and values', () => {
  test('two releases in two namespaces (or one namespace) do not collide', () => {
    const a = render({ release: 'alpha', namespace: 'team-a', files: profileFiles.eks });
    const b = render({ release: 'beta', namespace: 'team-a', files: profileFiles.eks });
    const c = render({ release: 'alpha', namespace: 'team-b', files: profileFiles.eks });
    const clusterScoped = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Namespace', 'PriorityClass']);
    for (const objs of [a, b, c]) expect(objs.filter((o) => clusterScoped.has(o.kind))).toEqual([]);
    const id = (o: K8sObject, ns: string) => `${o.kind}/${o.metadata.namespace ?? ns}/${o.metadata.name}`;
    const ida = new Set(a.map((o) => id(o, 'team-a')));
    for (const o of b) expect(ida.has(id(o, 'team-a'))).toBe(false);
    for (const o of c) expect(ida.has(id(o, 'team-b'))).toBe(false);
    // selectors of one release never pick the other's pods in the shared namespace
    for (const pod of pods(b)) {
      for (const o of [...byKind(a, 'Service'), ...byKind(a, 'NetworkPolicy'), ...byKind(a, 'PodDisruptionBudget')]) {
        const spec = (o as unknown as { spec: { selector?: Record<string, string> | { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } } }).spec;
        const sel = spec.podSelector ?? (spec.selector && 'matchLabels' in spec.selector ? spec.selector : { matchLabels: spec.selector as Record<string, string> });
        expect({ pod: pod.owner, by: `${o.kind}/${o.metadata.name}`, hit: selects(sel as never, pod.labels) }).toEqual({ pod: pod.owner, by: `${o.kind}/${o.metadata.name}`, hit: false });
      }
    }
    // the controller watches only its own release's gateways
    const cm = named(b, 'ConfigMap', 'beta-gambit-room-reaper') as unknown as { data: Record<string, string> };
    expect(cm.data.GATEWAY_SELECTOR).toBe('app.kubernetes.io/instance=beta,app.kubernetes.io/component=gateway');
  });

  test('every setting of every service reaches its environment', () => {
    const env = (objects: K8sObject[], name: string) => (named(objects, 'ConfigMap', name) as unknown as { data: Record<string, string> }).data;
    const o = render({
      files: profileFiles.eks,
      set: ['logLevel=debug', 'keyPrefix=chess', 'roomShards=16', 'auth.tokenTtlSeconds=3600', 'engine.reconnectGraceMs=20000', 'engine.roomTtlMs=7200000',
        'finalizer.maxAttempts=7', 'dynamodb.gamesTable=games2', 'gateway.wsCompression=true', 'auth.existingSecret=my-key', 'auth.signingKeyKey=k',
        'auth.oidc.issuer=https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC', 'auth.oidc.audience=client1', 'auth.oidc.tokenUse=id',
        'auth.allowedOrigins={https://chess.example.com,https://www.chess.example.com}', 'gateway.maxConnectionsPerIp=7'],
    });
    expect(env(o, 'gambit-gateway')).toMatchObject({
      LOG_LEVEL: 'debug', KEY_PREFIX: 'chess', TOKEN_TTL_SECONDS: '3600', WS_COMPRESSION: 'true', WEB_ROOT: '/web', FINALIZER_URL: 'http://gambit-finalizer:8082', PORT: '8080',
      GUEST_TOKENS: 'true', OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC', OIDC_AUDIENCE: 'client1', OIDC_TOKEN_USE: 'id', OIDC_JWKS_URL: '',
      ALLOWED_ORIGINS: 'https://chess.example.com,https://www.chess.example.com', MAX_CONNECTIONS_PER_IP: '7', JOIN_RATE_PER_MIN: '60',
    });
    expect(env(o, 'gambit-game-engine')).toMatchObject({ RECONNECT_GRACE_MS: '20000', ROOM_TTL_MS: '7200000', METRICS_PORT: '9101' });
    expect(env(o, 'gambit-room-reaper')).toMatchObject({ ROOM_TTL_MS: '7200000', KUBERNETES: 'in-cluster', LEASE_NAME: 'gambit-room-reaper' });
    expect(env(o, 'gambit-finalizer')).toMatchObject({ FINALIZE_MAX_ATTEMPTS: '7', GAMES_TABLE: 'games2', AWS_REGION: 'eu-west-1', DYNAMODB_ENDPOINT: '', CREATE_TABLES: 'false', FINALIZER_HTTP_PORT: '8082' });
    expect(env(rendered.kind, 'gambit-finalizer')).toMatchObject({ DYNAMODB_ENDPOINT: 'http://gambit-dynamodb:8000', CREATE_TABLES: 'true' });
    // Replicated commits: the engines wait for a replica, the gateways read their events from the reader endpoint
    // (with the primary's scheme, password and port); without a reader host they read the primary.
    const durable = render({ files: profileFiles.eks, set: ['engine.commitDurability=replicated', 'engine.commitWaitMs=100', 'redis.external.readerHost=replica.gambit.abc123.euw1.cache.amazonaws.com'] });
    expect(env(durable, 'gambit-game-engine')).toMatchObject({ COMMIT_DURABILITY: 'replicated', COMMIT_WAIT_MS: '100' });
    const gwEnv = (objects: K8sObject[]) => pods([named(objects, 'Deployment', 'gambit-gateway')])[0]!.spec.containers[0]!.env!;
    const names = gwEnv(durable).map((e) => e.name);
    expect(gwEnv(durable).find((e) => e.name === 'REDIS_EVENTS_URL')!.value).toBe('rediss://:$(REDIS_PASSWORD)@replica.gambit.abc123.euw1.cache.amazonaws.com:6379');
    expect(names.indexOf('REDIS_PASSWORD')).toBeLessThan(names.indexOf('REDIS_EVENTS_URL')); // $(REDIS_PASSWORD) is expanded from an earlier variable only
    expect(gwEnv(o).map((e) => e.name)).not.toContain('REDIS_EVENTS_URL');
    expect(env(o, 'gambit-game-engine').COMMIT_DURABILITY).toBe('async');
    // Every service that reads room keys uses the same shard count, or rooms would be looked for in the wrong shard.
    for (const c of ['gateway', 'game-engine', 'finalizer', 'room-reaper']) expect(env(o, `gambit-${c}`).ROOM_SHARDS).toBe('16');
    expect(env(rendered.eks, 'gambit-game-engine').ROOM_SHARDS).toBe('1');
    // A Redis Cluster: every service that talks to Redis runs in cluster mode, and only then.
    const containerEnv = (objects: K8sObject[], c: string) => pods([named(objects, 'Deployment', `gambit-${c}`)])[0]!.spec.containers[0]!.env!;
    const onCluster = render({ files: profileFiles.eks, set: ['redis.external.cluster=true', 'redis.external.replicaReads=true', 'roomShards=16'] });
    expect(containerEnv(onCluster, 'gateway').find((e) => e.name === 'REDIS_EVENTS_FROM_REPLICAS')?.value).toBe('true');
    for (const c of ['game-engine', 'finalizer']) expect(containerEnv(onCluster, c).map((e) => e.name)).not.toContain('REDIS_EVENTS_FROM_REPLICAS');
    for (const c of ['gateway', 'game-engine', 'finalizer', 'room-reaper']) {
      expect(containerEnv(onCluster, c).find((e) => e.name === 'REDIS_MODE')?.value).toBe('cluster');
      expect(containerEnv(rendered.eks, c).map((e) => e.name)).not.toContain('REDIS_MODE');
    }
    const gw = pods([named(o, 'Deployment', 'gambit-gateway')])[0]!.spec.containers[0]!;
    expect(gw.env!.find((e) => e.name === 'TOKEN_SIGNING_KEY')).toEqual({ name: 'TOKEN_SIGNING_KEY', valueFrom: { secretKeyRef: { name: 'my-key', key: 'k' } } });
    expect(gw.env!.find((e) => e.name === 'TOKEN_VERIFY_KEYS')).toEqual({ name: 'TOKEN_VERIFY_KEYS', valueFrom: { secretKeyRef: { name: 'my-key', key: 'verify-keys', optional: true } } });
    // the JWKS endpoint is reachable from the gateways when OIDC is on
    const gwPolicy = named(o, 'NetworkPolicy', 'gambit-gateway') as unknown as Policy;
    expect(gwPolicy.spec.egress!.some((r) => r.ports?.some((x) => x.port === 443) && r.to?.some((t) => t.ipBlock))).toBe(true);
    expect((named(rendered.eks, 'NetworkPolicy', 'gambit-gateway') as unknown as Policy).spec.egress!.some((r) => r.ports?.some((x) => x.port === 443))).toBe(false);
    expect(gw.env!.find((e) => e.name === 'GATEWAY_ID')).toEqual({ name: 'GATEWAY_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(gw.env!.find((e) => e.name === 'REDIS_URL')!.value).toBe('rediss://:$(REDIS_PASSWORD)@master.gambit.abc123.euw1.cache.amazonaws.com:6379');
    expect(o.map((x) => `${x.kind}/${x.metadata.name}`)).not.toContain('Secret/gambit-token');
    const engine = pods([named(o, 'Deployment', 'gambit-game-engine')])[0]!.spec.containers[0]!;
    expect(engine.env!.find((e) => e.name === 'ENGINE_ID')).toEqual({ name: 'ENGINE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    // an int that YAML would print as 2.592e+06 without int64
    expect(env(rendered.default, 'gambit-gateway').TOKEN_TTL_SECONDS).toBe('2592000');
  });

  test('replicas: the HPA owns the engines, the ConnectionScaler the gateways; otherwise the values', () => {
    const replicas = (objects: K8sObject[], name: string) => (named(objects, 'Deployment', name) as unknown as { spec: { replicas?: number } }).spec.replicas;
    expect(replicas(rendered.default, 'gambit-game-engine')).toBeUndefined();
    expect(replicas(rendered.default, 'gambit-gateway')).toBeUndefined();
    const o = render({ set: ['engine.autoscaling.enabled=false', 'engine.replicas=4', 'roomReaper.scaler.enabled=false', 'gateway.replicas=5'] });
    expect(replicas(o, 'gambit-game-engine')).toBe(4);
    expect(replicas(o, 'gambit-gateway')).toBe(5);
    expect(byKind(o, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(byKind(o, 'ConnectionScaler')).toEqual([]);
  });

  test.each([
    [['gatewy.replicas=2'], /Additional property gatewy is not allowed/],
    [['gateway.replica=2'], /gateway: Additional property replica is not allowed/],
    [['gateway.replicas=two'], /gateway\.replicas: Invalid type\. Expected: integer, given: string/],
    [['gateway.replicas=0'], /gateway\.replicas: Must be greater than or equal to 1/],
    [['gateway.service.type=Ingress'], /gateway\.service\.type: gateway\.service\.type must be one of the following/],
    [['image.tag=latest'], /image\.tag: Must not validate the schema \(not\)/],
    [['gateway.resources.requests.cpu=lots'], /gateway\.resources\.requests\.cpu: Must validate at least one schema \(anyOf\)/],
    [['gateway.resources.limits=null'], /gateway\.resources: limits is required/],
    [['redis.external.cidrs={not-a-cidr}'], /redis\.external\.cidrs\.0: Does not match pattern/],
    [['keyPrefix=Has Spaces'], /keyPrefix: Does not match pattern/],
    [['roomShards=0'], /roomShards: Must be greater than or equal to 1/],
    [['roomShards=2000'], /roomShards: Must be less than or equal to 1024/],
  ])('the schema refuses %j with a message naming the key', (set, message) => {
    const r = helm(['template', 'gambit', chartDir, ...set.flatMap((s) => ['--set', s])]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  test.each([
    [['redis.bundled.enabled=false'], 'redis.external.host is required when redis.bundled.enabled is false'],
    [['engine.commitDurability=replicated'], 'engine.commitDurability=replicated needs a Redis with a replica: the bundled Redis has none (use redis.external, with readerHost)'],
    [['redis.external.replicaReads=true'], 'redis.external.replicaReads is for a Redis Cluster (redis.external.cluster); with one primary set redis.external.readerHost'],
    [['redis.external.cluster=true'], 'redis.external.cluster needs redis.bundled.enabled=false: the bundled Redis is one server'],
    [['redis.bundled.enabled=false', 'redis.external.host=cfg.example', 'redis.external.cluster=true', 'redis.external.readerHost=ro.example'], 'redis.external.readerHost is for a Redis with one primary: with redis.external.cluster leave it empty'],
    [['redis.bundled.enabled=false', 'redis.external.host=cfg.example', 'redis.external.cluster=true', 'accounts.enabled=true', 'accounts.publicUrl=https://chess.example.com', 'idProvider.enabled=true', 'idProvider.issuer=https://id.chess.example.com'], 'idProvider (the embedded OpenID provider, for development) runs on a single Redis only'],
    [['engine.autoscaling.minReplicas=9', 'engine.autoscaling.maxReplicas=3'], 'engine.autoscaling.minReplicas must not exceed engine.autoscaling.maxReplicas'],
    [['gateway.service.type=NodePort', 'gateway.nlb.certificateArn=arn:aws:acm:x'], 'gateway.nlb.certificateArn needs gateway.service.type LoadBalancer'],
    [['auth.guestTokens=false'], 'with auth.guestTokens false, set auth.oidc.issuer'],
    [['auth.oidc.issuer=https://idp.example.com'], 'OIDC needs both auth.oidc.issuer and auth.oidc.audience'],
  ])('settings that contradict each other fail: %j', (set, message) => {
    const r = helm(['template', 'gambit', chartDir, ...set.flatMap((s) => ['--set', s])]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  test('NOTES.txt tells how to reach the game and the dashboards', () => {
    const notes = renderNotes;
    const eks = notes(['-f', profileFiles.eks[0]!]);
    expect(eks).toContain("kubectl -n gambit get service gambit-gateway -o jsonpath='{.status.loadBalancer.ingress[0].hostname}");
    expect(eks).toContain('helm test gambit -n gambit');
    expect(eks).toContain('grafana_dashboard=1 in namespace monitoring');
    expect(eks).toContain('the Grafana sidecar loads them (folder Gambit).');
    const kind = notes(['-f', profileFiles.kind[0]!]);
    expect(kind).toContain('http://localhost:8080/ on kind');
    expect(kind).toContain('bundled development instance');
    expect(notes(['--set', 'gateway.service.type=ClusterIP'])).toContain('port-forward service/gambit-gateway 8080:80');
    const accounts = notes(['--set', PLAINTEXT, '--set', 'accounts.enabled=true', '--set', 'accounts.publicUrl=https://chess.example.com', '--set', 'idProvider.enabled=true', '--set', 'idProvider.issuer=https://id.chess.example.com']);
    expect(accounts).toContain('Accounts: players sign in at https://chess.example.com/auth/login, with https://id.chess.example.com.');
    expect(accounts).toContain("kubectl -n gambit get service gambit-id-provider -o jsonpath='{.status.loadBalancer.ingress[0].hostname}");
    expect(eks).not.toContain('Accounts:');
  });

  // Engines own room shards by rendezvous hashing and roomShards is fixed for an install's life
  // (issue 16): NOTES says when there are too few shards for the most engines (4 each).
  test('NOTES.txt: room affinity off with one room shard, idle engines with fewer than 4 shards an engine, quiet otherwise', () => {
    const AFFINITY_OFF = 'Note: roomShards=1, so room affinity is off: every engine reads the one room shard';
    const IDLE = /WARNING: roomShards=\d+ is below 4 x/;
    const notes = (...set: string[]) => renderNotes(['--set', PLAINTEXT, ...set.flatMap((s) => ['--set', s])]);
    // the defaults: one shard, the HPA's 10 engines
    const defaults = notes();
    expect(defaults).toContain(AFFINITY_OFF);
    expect(defaults).toContain('4 x engine.autoscaling.maxReplicas (40); roomShards is fixed for the life of an install');
    expect(defaults).not.toMatch(IDLE);
    // fewer shards than engines: some certainly own none
    const few = notes('roomShards=8');
    expect(few).toContain('WARNING: roomShards=8 is below 4 x engine.autoscaling.maxReplicas (40).');
    expect(few).toContain('at full scale at least 2 of the 10 engines\n  own no shard and sit idle.');
    expect(few).not.toContain(AFFINITY_OFF);
    // as many shards as engines or more, under 4 an engine: some may own none
    expect(notes('roomShards=39')).toContain('at full scale some engines may\n  own no shard and sit idle.');
    // 4 an engine: nothing said; nor with one engine (it gets every room)
    for (const quiet of [notes('roomShards=40'), notes('roomShards=64'), notes('engine.autoscaling.minReplicas=1', 'engine.autoscaling.maxReplicas=1'), renderNotes(['-f', profileFiles.kind[0]!])]) {
      expect(quiet).not.toContain('roomShards');
    }
    // without the HPA the fixed replicas count
    const fixed = notes('engine.autoscaling.enabled=false', 'engine.replicas=3', 'roomShards=6');
    expect(fixed).toContain('WARNING: roomShards=6 is below 4 x engine.replicas (12).');
    expect(fixed).toContain('lower engine.replicas,');
    expect(notes('engine.autoscaling.enabled=false', 'engine.replicas=3', 'roomShards=12')).not.toContain('roomShards');
    // the EKS profile (12 engines at most) with shards enough for them
    expect(renderNotes(['-f', profileFiles.eks[0]!, '--set', 'roomShards=48'])).not.toContain('roomShards');
  });

  test('helm test: a hook pod that runs the ping script against the gateway Service, allowed by a policy', () => {
    const o = rendered.default;
    const pod = named(o, 'Pod', 'gambit-test-ping') as K8sObject & { spec: { containers: Container[] } };
    expect(pod.metadata.annotations!['helm.sh/hook']).toBe('test');
    expect(pod.spec.containers[0]!.env).toEqual([{ name: 'GATEWAY_URL', value: 'http://gambit-gateway:80' }]);
    const script = named(o, 'ConfigMap', 'gambit-test-ping') as unknown as { data: Record<string, string> };
    expect(script.data['ping.mjs']).toBe(readFileSync(join(chartDir, '../../cdk8s/assets/helm-test-ping.mjs'), 'utf8'));
    expect(allowed(o, pod.metadata.labels!, pods([named(o, 'Deployment', 'gambit-gateway')])[0]!.labels, 8080)).toBe(true);
  });
});

// --- the chart and the plain manifests agree -------------------------------------------------------

describe('helm template == cdk8s plain synthesis', () => {
  const normalize = (objects: K8sObject[]) =>
    objects
      .filter((o) => !o.metadata.annotations?.['helm.sh/hook'] && o.metadata.name !== 'gambit-test')
      .map((o) => {
        const x = structuredClone(o) as K8sObject & { data?: Record<string, string>; spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };
        if (x.metadata.namespace === 'gambit') delete x.metadata.namespace;
        if (x.kind === 'Secret') delete x.data;
        delete x.spec?.template?.metadata?.annotations?.['checksum/config'];
        // the rule that lets the helm test pod in exists only in the chart
        const np = x as unknown as { kind: string; spec: { ingress?: Rule[] } };
        if (np.kind === 'NetworkPolicy' && np.spec.ingress) {
          np.spec.ingress = np.spec.ingress.filter((r) => !(r.from ?? []).some((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'test'));
        }
        return x;
      })
      .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));

  test.each([['default', [PLAINTEXT_VALUES]], ['kind', [kindProfile.values]], ['eks', [eksProfile.values]], ['lean', [eksProfile.values, eksLeanProfile.values]]] as const)('%s profile', async (p, overrides) => {
    const values = mergeValues(defaultValues(), ...overrides);
    const { chart } = build('literal', await readInputs(), values, { name: 'gambit', namespace: 'gambit', service: 'Helm' });
    const plain = normalize(chart.toJson() as K8sObject[]);
    expect(plain).toEqual(normalize(rendered[p]));
  });
});
