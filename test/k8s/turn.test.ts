// coturn in the chart (turn.enabled): what renders and what does not; the static-auth-secret reaching
// coturn and the gateways from one Secret key, never as a value; the gateway's TURN settings; the
// host network, ports, probes and security context; the NetworkPolicy, the headless Service and the
// ServiceMonitor; contradictory values refused with their message; helm == plain synthesis. Then the
// rendered command line run for real: the start script as the kubelet would expand it (stubbed
// turnserver), and Debian's turnserver started with the chart's arguments, allocating a relay with
// credentials made by the gateway's own code and refusing denied peers and a wrong secret.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../cdk8s/src/helm.js';
import { readInputs } from '../../cdk8s/src/inputs.js';
import { eksProfile, mergeValues } from '../../cdk8s/src/profiles.js';
import { defaultValues } from '../../cdk8s/src/values.js';
import { parseYamlAll } from '../../cdk8s/src/yaml.js';
import { portBelowEphemeral } from '../support/ports.js';
import { turnCredentials } from '../../services/gateway/src/ws/turn.js';
import {
  PLAINTEXT_VALUES, chartDir, comparable, helm, named, pods, profileFiles, render, renderNotes, validateObject,
  type Container, type K8sObject, type Policy, type PodSpec,
} from './support.js';

const URLS = ['turn:turn.example.com:3478?transport=udp', 'turn:turn.example.com:3478?transport=tcp'];
const STUN = 'stun:turn.example.com:3478';
const ON = ['turn.enabled=true', `turn.urls[0]=${URLS[0]}`, `turn.urls[1]=${URLS[1]}`, `turn.stunUrls[0]=${STUN}`];
/** TLS on 443 with a cert-manager Secret, one replica on an Elastic IP, on the EKS profile. */
const TLS = [...ON, 'turn.urls[2]=turns:turn.example.com:443?transport=tcp', 'turn.tls.existingSecret=turn-tls', 'turn.tls.port=443',
  'turn.replicas=1', 'turn.externalIp=52.16.1.2', 'turn.nodeSelector.gambit\\.dev/pool=turn'];

let on: K8sObject[];
let tls: K8sObject[];
let off: K8sObject[];
let crds: Record<string, unknown>[];
beforeAll(() => {
  on = render({ set: ON });
  tls = render({ files: profileFiles.eks, set: TLS });
  off = render({});
  crds = readdirSync(join(chartDir, 'crds')).flatMap((f) => parseYamlAll(readFileSync(join(chartDir, 'crds', f), 'utf8')) as Record<string, unknown>[]);
});

type Deployment = K8sObject & { spec: { strategy: unknown; template: { spec: PodSpec & { hostNetwork?: boolean; dnsPolicy?: string } } } };
const coturn = (objects: K8sObject[]) => named(objects, 'Deployment', 'gambit-turn') as Deployment;
const container = (objects: K8sObject[], d: string): Container & { args?: string[]; command?: string[] } => pods([named(objects, 'Deployment', d)])[0]!.spec.containers[0]!;
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const data = (objects: K8sObject[], kind: 'ConfigMap' | 'Secret', name: string) => (named(objects, kind, name) as unknown as { data: Record<string, string> }).data;
const ids = (objects: K8sObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);
const TURN_OBJECTS = ['Deployment/gambit-turn', 'Service/gambit-turn', 'Secret/gambit-turn', 'ServiceAccount/gambit-turn', 'PodDisruptionBudget/gambit-turn', 'NetworkPolicy/gambit-turn'];

describe('rendering', () => {
  test.each([
    ['defaults', ON, []],
    ['TLS on 443, one replica, EKS', TLS, profileFiles.eks],
    ['the operator\'s Secret, no metrics', [...ON, 'turn.existingSecret=my-turn', 'turn.metrics.enabled=false'], []],
  ])('%s: helm lint --strict passes', (_name, set, files) => {
    const r = helm(['lint', '--strict', chartDir, ...files.flatMap((f) => ['-f', f]), ...(files.length ? [] : ['--set', 'gateway.tls.allowPlaintext=true']), ...set.flatMap((s) => ['--set', s])]);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  test('every object is valid against its schema (kubernetes-models)', async () => {
    for (const o of [...on, ...tls]) await validateObject(o, crds);
  });

  test('turn on: coturn, its Secret, Service, PDB, NetworkPolicy; with monitoring its ServiceMonitor', () => {
    expect(ids(on)).toEqual(expect.arrayContaining(TURN_OBJECTS));
    expect(ids(tls)).toEqual(expect.arrayContaining([...TURN_OBJECTS, 'ServiceMonitor/gambit-turn']));
    expect(ids(render({ set: [...ON, 'turn.metrics.enabled=false', 'monitoring.serviceMonitor.enabled=true'] }))).not.toContain('ServiceMonitor/gambit-turn');
  });

  test('turn off (the default): nothing of it, and the gateway gets no TURN setting', () => {
    for (const objects of [off, render({ files: profileFiles.eks }), render({ files: profileFiles.kind })]) {
      expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'turn' || o.metadata.name.endsWith('-turn'))).toEqual([]);
      expect(Object.keys(data(objects, 'ConfigMap', 'gambit-gateway')).filter((k) => /TURN|STUN/.test(k))).toEqual([]);
      expect(envOf(container(objects, 'gambit-gateway'), 'TURN_SECRET')).toBeUndefined();
    }
  });
});

describe('the secret: one Secret key for coturn and the gateways, never a value', () => {
  const REF = { secretKeyRef: { name: 'gambit-turn', key: 'static-auth-secret' } };

  test('coturn reads it from the Secret (--use-auth-secret, --static-auth-secret=$(TURN_SECRET)), the gateway from the same key', () => {
    const c = container(on, 'gambit-turn');
    expect(c.args).toEqual(expect.arrayContaining(['--use-auth-secret', '--static-auth-secret=$(TURN_SECRET)']));
    expect(envOf(c, 'TURN_SECRET')).toEqual({ name: 'TURN_SECRET', valueFrom: REF });
    expect(envOf(container(on, 'gambit-gateway'), 'TURN_SECRET')).toEqual({ name: 'TURN_SECRET', valueFrom: REF });
  });

  test('the generated secret: 48 random characters, new per install, in no object but its Secret', () => {
    const secret = Buffer.from(data(on, 'Secret', 'gambit-turn')['static-auth-secret']!, 'base64').toString('utf8');
    expect(secret).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(Buffer.from(data(render({ set: ON }), 'Secret', 'gambit-turn')['static-auth-secret']!, 'base64').toString('utf8')).not.toBe(secret);
    expect(JSON.stringify(on.filter((o) => o.kind !== 'Secret'))).not.toContain(secret);
    // kept across upgrades: the value is read back from the release's own Secret (lookup)
    const helpers = readFileSync(join(chartDir, 'templates/_helpers.tpl'), 'utf8');
    const helper = helpers.slice(helpers.indexOf('define "gambit.turnSecretValue"'));
    expect(helper.slice(0, helper.indexOf('{{- end -}}\n{{- end -}}'))).toContain('lookup "v1" "Secret" .Release.Namespace (include "gambit.component" (list . "turn"))');
  });

  test('the operator\'s Secret (turn.existingSecret, turn.secretKey): none generated, both sides point at it', () => {
    const own = render({ set: [...ON, 'turn.existingSecret=my-turn', 'turn.secretKey=secret'] });
    expect(ids(own)).not.toContain('Secret/gambit-turn');
    const ref = { secretKeyRef: { name: 'my-turn', key: 'secret' } };
    expect(envOf(container(own, 'gambit-turn'), 'TURN_SECRET')!.valueFrom).toEqual(ref);
    expect(envOf(container(own, 'gambit-gateway'), 'TURN_SECRET')!.valueFrom).toEqual(ref);
  });
});

describe('the gateway and coturn', () => {
  test('the gateway gets TURN_URLS and STUN_URLS from the values, TURN_TTL_SECONDS', () => {
    expect(data(on, 'ConfigMap', 'gambit-gateway')).toMatchObject({ TURN_URLS: URLS.join(','), STUN_URLS: STUN, TURN_TTL_SECONDS: '21600' });
    const t = render({ set: [...ON.filter((x) => !x.startsWith('turn.stunUrls')), 'turn.ttlSeconds=3600'] });
    expect(data(t, 'ConfigMap', 'gambit-gateway')).toMatchObject({ TURN_URLS: URLS.join(','), STUN_URLS: '', TURN_TTL_SECONDS: '3600' });
  });

  test('the host network, one pod per node, replaced rather than surged; the official image, pinned', () => {
    const d = coturn(on);
    expect(d.spec.template.spec.hostNetwork).toBe(true);
    expect(d.spec.template.spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect((d.spec as unknown as { replicas: number }).replicas).toBe(2);
    expect(container(on, 'gambit-turn').image).toBe('docker.io/coturn/coturn:4.6.3');
    // the port is the node's: the scheduler keeps two pods off one node
    expect(container(on, 'gambit-turn').ports).toEqual([
      { name: 'turn-udp', containerPort: 3478, protocol: 'UDP' }, { name: 'turn-tcp', containerPort: 3478 }, { name: 'metrics', containerPort: 9641, protocol: 'TCP' },
    ]);
  });

  test('the arguments: listening and relay ports, realm, quotas, metrics; TLS from the mounted Secret', () => {
    const args = container(on, 'gambit-turn').args!;
    expect(args).toEqual(expect.arrayContaining([
      '-n', '--listening-port=3478', '--min-port=49152', '--max-port=65535', '--realm=gambit', '--listening-ip=$(POD_IP)', '--relay-ip=$(POD_IP)',
      '--no-tcp-relay', '--no-multicast-peers', '--no-cli', '--no-tls', '--no-dtls', '--prometheus', '--prometheus-port=9641', '--user-quota=12', '--total-quota=0',
    ]));
    const t = container(render({ set: [...ON, 'turn.port=3479', 'turn.relayPorts.min=50000', 'turn.relayPorts.max=50100', 'turn.realm=turn.example.com', 'turn.metrics.enabled=false', 'turn.tls.existingSecret=turn-tls'] }), 'gambit-turn');
    expect(t.args).toEqual(expect.arrayContaining(['--listening-port=3479', '--min-port=50000', '--max-port=50100', '--realm=turn.example.com',
      '--cert=/etc/coturn/tls/tls.crt', '--pkey=/etc/coturn/tls/tls.key', '--tls-listening-port=5349']));
    expect(t.args!.filter((a) => a.startsWith('--prometheus') || a === '--no-tls')).toEqual([]);
    const spec = pods([named(tls, 'Deployment', 'gambit-turn')])[0]!.spec;
    expect(spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'turn-tls' } });
    expect(spec.containers[0]!.ports).toContainEqual({ name: 'turns', containerPort: 443, protocol: 'TCP' });
  });

  test('the external address, denied peers and the node address reach the start script as variables', () => {
    const c = container(tls, 'gambit-turn');
    expect(c.command!.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(envOf(c, 'TURN_EXTERNAL_IP')).toEqual({ name: 'TURN_EXTERNAL_IP', value: '52.16.1.2' });
    expect(envOf(c, 'POD_IP')).toEqual({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
    expect(envOf(container(on, 'gambit-turn'), 'TURN_EXTERNAL_IP')!.value).toBe('');
    expect(envOf(c, 'TURN_DENIED_PEER_IPS')!.value!.split(' ')).toEqual(expect.arrayContaining(['10.0.0.0-10.255.255.255', '169.254.0.0-169.254.255.255', '172.16.0.0-172.31.255.255', '192.168.0.0-192.168.255.255']));
  });

  test('security context: non-root, read-only root, seccomp, drop ALL but the binary\'s one file capability; escalation only for a TLS port below 1024', () => {
    const ctx = container(on, 'gambit-turn').securityContext as Record<string, unknown>;
    expect(ctx).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(ctx.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    expect((container(tls, 'gambit-turn').securityContext as Record<string, unknown>).allowPrivilegeEscalation).toBe(true);
    const high = container(render({ set: [...ON, 'turn.tls.existingSecret=turn-tls'] }), 'gambit-turn');
    expect((high.securityContext as Record<string, unknown>).allowPrivilegeEscalation).toBe(false);
    expect(coturn(on).spec.template.spec.automountServiceAccountToken).toBe(false);
    // where coturn writes: /tmp (pid file) and the SQLite database, both emptyDirs
    expect(container(on, 'gambit-turn').args).toEqual(expect.arrayContaining(['--pidfile=/tmp/turnserver.pid', '--userdb=/var/lib/coturn/turndb']));
    expect(pods([coturn(on)])[0]!.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '16Mi' } });
  });

  test('probes on the TURN port (coturn has no health endpoint), resources, scheduling from the values, a PDB', () => {
    const c = container(tls, 'gambit-turn');
    for (const p of [c.livenessProbe, c.readinessProbe, c.startupProbe]) expect(p).toMatchObject({ tcpSocket: { port: 3478 } });
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } });
    expect((coturn(tls).spec.template.spec as unknown as { nodeSelector: Record<string, string> }).nodeSelector).toEqual({ 'gambit.dev/pool': 'turn' });
    expect((named(on, 'PodDisruptionBudget', 'gambit-turn') as unknown as { spec: unknown }).spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/component': 'turn' } } });
  });
});

describe('Service, metrics and NetworkPolicy', () => {
  type Svc = K8sObject & { spec: { type: string; clusterIP: string; ports: { name: string; port: number; protocol: string; targetPort: string }[] } };

  test('a headless Service: the TURN port on UDP and TCP, TLS and metrics when on; annotations for external-dns', () => {
    const s = named(on, 'Service', 'gambit-turn') as Svc;
    expect([s.spec.type, s.spec.clusterIP]).toEqual(['ClusterIP', 'None']);
    expect(s.spec.ports.map((p) => [p.name, p.port, p.protocol])).toEqual([['turn-udp', 3478, 'UDP'], ['turn-tcp', 3478, 'TCP'], ['metrics', 9641, 'TCP']]);
    expect((named(tls, 'Service', 'gambit-turn') as Svc).spec.ports.map((p) => p.name)).toEqual(['turn-udp', 'turn-tcp', 'turns', 'metrics']);
    const dns = named(render({ set: [...ON, 'turn.service.annotations.external-dns\\.alpha\\.kubernetes\\.io/hostname=turn.example.com'] }), 'Service', 'gambit-turn');
    expect(dns.metadata.annotations).toEqual({ 'external-dns.alpha.kubernetes.io/hostname': 'turn.example.com' });
    // every Service port names a container port
    const names = new Set(container(tls, 'gambit-turn').ports!.map((p) => p.name));
    for (const p of (named(tls, 'Service', 'gambit-turn') as Svc).spec.ports) expect(names.has(p.targetPort)).toBe(true);
  });

  test('the ServiceMonitor scrapes /metrics on the metrics port with a component label', () => {
    const sm = named(tls, 'ServiceMonitor', 'gambit-turn') as unknown as { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] } };
    expect(sm.spec.selector.matchLabels['app.kubernetes.io/component']).toBe('turn');
    expect(sm.spec.endpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' });
  });

  test('NetworkPolicy: players to the TURN port (UDP, TCP) and the relay range (UDP); metrics from Prometheus only; relayed media out on UDP', () => {
    const p = named(on, 'NetworkPolicy', 'gambit-turn') as Policy;
    expect(p.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('turn');
    const [players, prometheus] = p.spec.ingress!;
    expect(players!.from).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }]);
    expect(players!.ports).toEqual([{ protocol: 'UDP', port: 3478 }, { protocol: 'TCP', port: 3478 }, { protocol: 'UDP', port: 49152, endPort: 65535 }]);
    expect(prometheus!.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: {} } }]);
    expect(prometheus!.ports).toEqual([{ protocol: 'TCP', port: 9641 }]);
    expect(p.spec.egress!.find((r) => r.to?.some((t) => t.ipBlock))).toEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'UDP' }] });
    // TLS adds its TCP port; without metrics there is no Prometheus rule
    const t = named(render({ set: [...ON, 'turn.tls.existingSecret=x', 'turn.metrics.enabled=false', 'turn.relayPorts.min=50000', 'turn.relayPorts.max=50100', 'turn.ingressCidrs={203.0.113.0/24}'] }), 'NetworkPolicy', 'gambit-turn') as Policy;
    expect(t.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [
      { protocol: 'UDP', port: 3478 }, { protocol: 'TCP', port: 3478 }, { protocol: 'TCP', port: 5349 }, { protocol: 'UDP', port: 50000, endPort: 50100 },
    ] }]);
    // the gateways talk to no TURN server: their policy is unchanged
    expect(named(on, 'NetworkPolicy', 'gambit-gateway')).toEqual(named(off, 'NetworkPolicy', 'gambit-gateway'));
  });
});

describe('values that contradict each other fail with a message', () => {
  test.each([
    [['turn.enabled=true'], 'turn.urls is required when turn.enabled is true'],
    [[...ON, 'turn.relayPorts.min=50000', 'turn.relayPorts.max=49999'], 'turn.relayPorts.min must not exceed turn.relayPorts.max'],
    [[...ON, 'turn.externalIp=52.16.1.2'], 'turn.externalIp is one address for every coturn pod'],
    [[...ON, 'turn.urls[2]=turns:turn.example.com:5349?transport=tcp'], 'turn.urls has a turns: URL but coturn has no TLS listener'],
    [[...ON, 'turn.metrics.port=50000'], 'turn.port, turn.tls.port and turn.metrics.port must differ'],
    [[...ON, 'turn.tls.existingSecret=x', 'turn.tls.port=3478'], 'turn.port, turn.tls.port and turn.metrics.port must differ'],
  ])('%j', (set, message) => {
    const r = helm(['template', 'gambit', chartDir, '--set', 'gateway.tls.allowPlaintext=true', ...set.flatMap((s) => ['--set', s])]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  test.each([
    ['turn.urls[0]=https://turn.example.com'], ['turn.stunUrls[0]=turn:turn.example.com'], ['turn.externalIp=turn.example.com'],
    ['turn.relayPorts.min=80'], ['turn.image.tag=latest'], ['turn.realm=has space'],
  ])('the schema refuses %s', (set) => {
    const r = helm(['template', 'gambit', chartDir, '--set', 'gateway.tls.allowPlaintext=true', '--set', 'turn.enabled=true', '--set', set]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/turn\.[a-zA-Z.0-9]+: /);
  });

  test('the metrics port inside the relay range is fine when metrics are off', () => {
    expect(() => render({ set: [...ON, 'turn.metrics.port=50000', 'turn.metrics.enabled=false'] })).not.toThrow();
  });

  test('NOTES tell where the nodes\' public addresses are and what the security group must open', () => {
    const notes = renderNotes(['--set', 'gateway.tls.allowPlaintext=true', ...ON.flatMap((s) => ['--set', s])]);
    expect(notes).toContain('Video calls: coturn runs on the host network, one pod per node (2)');
    expect(notes).toContain('kubectl -n gambit get pods -l app.kubernetes.io/instance=gambit,app.kubernetes.io/component=turn -o wide');
    expect(notes).toContain('UDP and TCP 3478, UDP 49152-65535, and keep 9641 (metrics) closed to them.');
    expect(renderNotes(['--set', 'gateway.tls.allowPlaintext=true'])).not.toContain('Video calls');
  });
});

describe('helm template == cdk8s plain synthesis, with coturn', () => {
  const turn = { enabled: true, urls: URLS, stunUrls: [STUN] };

  test.each([
    ['defaults', [PLAINTEXT_VALUES, { turn }], () => on],
    ['TLS on 443, one replica, EKS', [eksProfile.values, { turn: { ...turn, urls: [...URLS, 'turns:turn.example.com:443?transport=tcp'], tls: { existingSecret: 'turn-tls', port: 443 }, replicas: 1, externalIp: '52.16.1.2', nodeSelector: { 'gambit.dev/pool': 'turn' } } }], () => tls],
  ] as const)('%s', async (_name, overrides, rendered) => {
    const values = mergeValues(defaultValues(), ...overrides);
    const { chart } = build('literal', await readInputs(), values, { name: 'gambit', namespace: 'gambit', service: 'Helm' });
    expect(comparable(chart.toJson() as K8sObject[])).toEqual(comparable(rendered()));
  });
});

// --- the rendered command line, run --------------------------------------------------------------------

/** The container's environment as the kubelet builds it: Secret values, the pod IP, plain values. */
function kubeletEnv(objects: K8sObject[], podIp: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container(objects, 'gambit-turn').env ?? []) {
    const vf = e.valueFrom as { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } | undefined;
    if (vf?.fieldRef) env[e.name] = podIp;
    else if (vf?.secretKeyRef) env[e.name] = Buffer.from(data(objects, 'Secret', vf.secretKeyRef.name)[vf.secretKeyRef.key]!, 'base64').toString('utf8');
    else env[e.name] = e.value ?? '';
  }
  return env;
}
/** Kubernetes' expansion of command and args: $(VAR) when VAR is defined, $$ is a literal $. */
const expand = (s: string, env: Record<string, string>) =>
  s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && name in env ? env[name]! : m));

function stubs(detect: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gambit-turn-bin-'));
  writeFileSync(join(dir, 'detect-external-ip'), `#!/bin/sh\n${detect}\n`);
  // a stand-in turnserver that prints the arguments it got, one a line
  writeFileSync(join(dir, 'turnserver'), '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n');
  for (const f of ['detect-external-ip', 'turnserver']) chmodSync(join(dir, f), 0o755);
  return dir;
}
function runScript(objects: K8sObject[], detect: string) {
  const c = container(objects, 'gambit-turn');
  const env = kubeletEnv(objects, '10.0.1.17');
  const [cmd, ...rest] = [...c.command!, ...c.args!].map((s) => expand(s, env));
  const r = spawnSync(cmd!, rest, { encoding: 'utf8', env: { ...env, PATH: `${stubs(detect)}:/usr/bin:/bin` } });
  return { status: r.status, args: r.stdout.trim().split('\n'), stderr: r.stderr, secret: env.TURN_SECRET! };
}

describe('the start script, as the kubelet runs it (stubbed turnserver)', () => {
  test('turn.externalIp: mapped to the node address; the secret and every denied range reach turnserver', () => {
    const r = runScript(tls, 'exit 99');
    expect(r.status).toBe(0);
    expect(r.args).toContain('--external-ip=52.16.1.2/10.0.1.17');
    expect(r.args).toContain(`--static-auth-secret=${r.secret}`);
    expect(r.args).toEqual(expect.arrayContaining(['--listening-ip=10.0.1.17', '--relay-ip=10.0.1.17', '--denied-peer-ip=10.0.0.0-10.255.255.255', '--denied-peer-ip=::1']));
    expect(r.args.filter((a) => a.startsWith('--denied-peer-ip=')).length).toBe(defaultValues().turn.deniedPeerIps.length);
    expect(r.args.some((a) => a.includes('$'))).toBe(false);
  });

  test('no turn.externalIp: the node\'s public address from DNS (detect-external-ip)', () => {
    const r = runScript(on, 'echo 34.240.7.9');
    expect(r.status).toBe(0);
    expect(r.args).toContain('--external-ip=34.240.7.9/10.0.1.17');
  });

  test('DNS does not answer: the pod fails with the reason, turnserver never starts', () => {
    const r = runScript(on, 'exit 1');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('set turn.externalIp');
    expect(r.args).toEqual(['']);
  });
});

// Debian's coturn (make system-deps) is a test dependency already (test/support/coturn.ts).
describe('Debian\'s turnserver with the chart\'s arguments', () => {
  const procs: ChildProcess[] = [];
  afterAll(() => { for (const p of procs) p.kill('SIGKILL'); });

  /** Starts the rendered command (real turnserver) on 127.0.0.1 and a free-looking port. */
  async function start(objects: K8sObject[], externalIp: string) {
    const v = spawnSync('turnserver', ['-h'], { encoding: 'utf8' });
    if (v.error) throw new Error('turnserver is missing: install Debian\'s coturn (make system-deps)');
    const port = portBelowEphemeral(41); // its relay ports follow it (support/ports.ts)
    const dir = mkdtempSync(join(tmpdir(), 'gambit-turn-'));
    const c = container(objects, 'gambit-turn');
    const env: Record<string, string> = { ...kubeletEnv(objects, '127.0.0.1'), TURN_EXTERNAL_IP: externalIp };
    const args = c.args!
      // Debian builds coturn without the Prometheus exporter (the official image has it)
      .filter((a) => !a.startsWith('--prometheus'))
      .map((a) => a.replace(/^--listening-port=\d+$/, `--listening-port=${port}`).replace(/^--min-port=\d+$/, `--min-port=${port + 2}`)
        .replace(/^--max-port=\d+$/, `--max-port=${port + 40}`).replace('/var/lib/coturn/', `${dir}/`).replace('/tmp/turnserver.pid', `${dir}/pid`));
    const [cmd, ...rest] = [...c.command!, ...args].map((s) => expand(s, env));
    const p = spawn(cmd!, rest, { env: { ...env, PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    let log = '';
    p.stdout!.on('data', (d) => (log += String(d)));
    p.stderr!.on('data', (d) => (log += String(d)));
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => { s.destroy(); resolve(true); });
        s.once('error', () => resolve(false));
      });
      if (up) break;
      if (i > 100 || p.exitCode !== null) throw new Error(`turnserver did not listen: ${log.slice(-800)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { port, secret: env.TURN_SECRET!, log: () => log };
  }

  test('it starts, allocates a relay for the gateway\'s credentials at the external address, refuses denied peers and a wrong secret', async () => {
    const server = await start(on, '198.51.100.20');
    const client = new TurnClient(server.port);
    try {
      // the credentials the gateway hands a player (services/gateway/src/ws/turn.ts)
      const creds = turnCredentials(server.secret, 'player-1', Date.now(), 3600);
      const alloc = await client.allocate(creds.username, creds.credential);
      expect(alloc.error).toBeUndefined();
      expect(alloc.relayed?.address).toBe('198.51.100.20');
      expect(alloc.relayed!.port).toBeGreaterThanOrEqual(server.port + 2);
      expect(alloc.relayed!.port).toBeLessThanOrEqual(server.port + 40);
      // relaying into the VPC (turn.deniedPeerIps) is refused; a public peer is allowed
      expect(await client.permit('10.1.2.3')).toBe(403);
      expect(await client.permit('169.254.169.254')).toBe(403);
      expect(await client.permit('8.8.8.8')).toBe(200);
      // credentials signed with another secret are refused
      const other = new TurnClient(server.port);
      const bad = turnCredentials(randomBytes(24).toString('hex'), 'player-2', Date.now(), 3600);
      expect((await other.allocate(bad.username, bad.credential)).error).toBe(401);
      other.close();
      expect(server.log()).not.toMatch(/unrecognized option/);
    } finally {
      client.close();
    }
  }, 30_000);
});

// --- a small TURN client (RFC 5389 / 5766 over UDP): Allocate and CreatePermission with long-term credentials

const MAGIC = 0x2112a442;
const ATTR = { USERNAME: 0x0006, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009, REALM: 0x0014, NONCE: 0x0015, XOR_PEER_ADDRESS: 0x0012, XOR_RELAYED_ADDRESS: 0x0016, REQUESTED_TRANSPORT: 0x0019 } as const;
type Attrs = Map<number, Buffer>;

class TurnClient {
  private readonly socket = createSocket('udp4');
  private auth?: { username: string; realm: string; nonce: string; key: Buffer };

  constructor(private readonly port: number) {}

  close() { this.socket.close(); }

  /** Allocate (UDP relay): the 401 challenge first, then with the credentials. */
  async allocate(username: string, password: string): Promise<{ error?: number; relayed?: { address: string; port: number } }> {
    const transport = Buffer.from([17, 0, 0, 0]);
    const first = await this.request(0x0003, [[ATTR.REQUESTED_TRANSPORT, transport]]);
    if (first.error !== 401) return { error: first.error ?? 0 };
    const realm = first.attrs.get(ATTR.REALM)!.toString();
    this.auth = { username, realm, nonce: first.attrs.get(ATTR.NONCE)!.toString(), key: createHash('md5').update(`${username}:${realm}:${password}`).digest() };
    const r = await this.request(0x0003, [[ATTR.REQUESTED_TRANSPORT, transport]]);
    if (r.error !== undefined) return { error: r.error };
    return { relayed: xorAddress(r.attrs.get(ATTR.XOR_RELAYED_ADDRESS)!) };
  }

  /** CreatePermission for a peer: 200, or the error code (403 for a denied peer). */
  async permit(ip: string): Promise<number> {
    const addr = Buffer.alloc(8);
    addr.writeUInt8(1, 1);
    addr.writeUInt16BE(9 ^ (MAGIC >>> 16), 2);
    addr.writeUInt32BE((ip.split('.').reduce((n, o) => n * 256 + Number(o), 0) ^ MAGIC) >>> 0, 4);
    const r = await this.request(0x0008, [[ATTR.XOR_PEER_ADDRESS, addr]]);
    return r.error ?? 200;
  }

  private async request(method: number, attrs: [number, Buffer][]): Promise<{ error?: number; attrs: Attrs }> {
    const id = randomBytes(12);
    const all = [...attrs];
    if (this.auth) all.push([ATTR.USERNAME, Buffer.from(this.auth.username)], [ATTR.REALM, Buffer.from(this.auth.realm)], [ATTR.NONCE, Buffer.from(this.auth.nonce)]);
    let body = Buffer.concat(all.map(([t, v]) => attribute(t, v)));
    if (this.auth) {
      // MESSAGE-INTEGRITY: HMAC-SHA1 over the message whose length already counts this attribute
      const mac = createHmac('sha1', this.auth.key).update(Buffer.concat([header(method, body.length + 24, id), body])).digest();
      body = Buffer.concat([body, attribute(ATTR.MESSAGE_INTEGRITY, mac)]);
    }
    const msg = Buffer.concat([header(method, body.length, id), body]);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setInterval(() => this.socket.send(msg, this.port, '127.0.0.1'), 300);
      const deadline = setTimeout(() => { clearInterval(timer); this.socket.off('message', onMessage); reject(new Error('no TURN answer')); }, 5_000);
      const onMessage = (m: Buffer) => {
        if (m.length < 20 || !m.subarray(8, 20).equals(id)) return;
        clearInterval(timer); clearTimeout(deadline); this.socket.off('message', onMessage); resolve(m);
      };
      this.socket.on('message', onMessage);
      this.socket.send(msg, this.port, '127.0.0.1');
    });
    const parsed: Attrs = new Map();
    for (let at = 20; at + 4 <= reply.length;) {
      const t = reply.readUInt16BE(at);
      const len = reply.readUInt16BE(at + 2);
      parsed.set(t, reply.subarray(at + 4, at + 4 + len));
      at += 4 + Math.ceil(len / 4) * 4;
    }
    const isError = (reply.readUInt16BE(0) & 0x0110) === 0x0110;
    if (!isError) return { attrs: parsed };
    const code = parsed.get(ATTR.ERROR_CODE)!;
    if (code.length >= 4) {
      const nonce = parsed.get(ATTR.NONCE);
      if (nonce && this.auth) this.auth.nonce = nonce.toString(); // a stale nonce is answered with a fresh one
    }
    return { error: (code.readUInt8(2) & 0x7) * 100 + code.readUInt8(3), attrs: parsed };
  }
}

function header(type: number, length: number, id: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(length, 2);
  h.writeUInt32BE(MAGIC, 4);
  id.copy(h, 8);
  return h;
}
function attribute(type: number, value: Buffer): Buffer {
  const a = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  a.writeUInt16BE(type, 0);
  a.writeUInt16BE(value.length, 2);
  value.copy(a, 4);
  return a;
}
function xorAddress(v: Buffer): { address: string; port: number } {
  const port = v.readUInt16BE(2) ^ (MAGIC >>> 16);
  const n = (v.readUInt32BE(4) ^ MAGIC) >>> 0;
  return { address: [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.'), port };
}
