// coturn for the players' video calls (turn.enabled): its Deployment on the host network of nodes
// with public addresses, the static-auth-secret it shares with the gateways (generated once and
// kept with `lookup`, or the operator's), a headless Service (ServiceMonitor discovery, external-dns),
// its NetworkPolicy, and what the gateway gets (TURN_URLS, STUN_URLS, TURN_TTL_SECONDS, TURN_SECRET).
// Why the host network and not a UDP load balancer: docs/helm.md, "Video calls".
import { JsonPatch, Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from './plus.js';
import { postPatch } from './patch.js';
import { present, type Binding, type Cond, type Expr } from './binding.js';
import type { PolicyKit } from './accounts.js';
import { UIDS, meta, randomText } from './parts.js';
import { raw } from './raw.js';
import { disruptionBudget, serviceAccount, workload } from './workload.js';
import type { Values } from './values.js';

export const turnOn = (b: Binding): Cond => b.truthy((v) => v.turn.enabled);
const tlsOn = (b: Binding): Cond => b.truthy((v) => v.turn.tls.existingSecret);
const metricsOn = (b: Binding): Cond => b.truthy((v) => v.turn.metrics.enabled);

/** The Secret with the static-auth-secret: the operator's (turn.existingSecret) or the generated <fullname>-turn. */
export function turnSecretName(b: Binding): Expr<string> {
  return b.computed('include "gambit.turnSecretName" .', b.values.turn.existingSecret || b.name('turn').literal);
}
/** The same key of the same Secret for coturn and for the gateways: they must agree on the secret. */
const secretRef = (b: Binding) => ({ secretKeyRef: { name: b.s(turnSecretName(b)), key: b.s((v) => v.turn.secretKey) } });

/** The Helm twins of turnSecretName and of the generated value (appended to _helpers.tpl by helm.ts). */
export const TURN_HELPERS = `
{{- define "gambit.turnSecretName" -}}
{{- .Values.turn.existingSecret | default (include "gambit.component" (list . "turn")) -}}
{{- end -}}

{{/* coturn's static-auth-secret, base64: new on install, read back on upgrade, so the gateways' credentials keep working. */}}
{{- define "gambit.turnSecretValue" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "gambit.component" (list . "turn")) -}}
{{- if and $existing $existing.data (hasKey $existing.data .Values.turn.secretKey) -}}
{{- index $existing.data .Values.turn.secretKey -}}
{{- else -}}
{{- randAlphaNum 48 | b64enc -}}
{{- end -}}
{{- end -}}
`;

// --- what the gateway gets --------------------------------------------------------------------------

/** ConfigMap entries of the gateway (joined lists: the gateway splits them on commas). */
export function turnGatewayConfig(b: Binding): [string, string, Cond][] {
  const v0 = b.values;
  const on = turnOn(b);
  return [
    ['TURN_URLS', b.s(b.computed('join "," .Values.turn.urls', v0.turn.urls.join(','))), on],
    ['STUN_URLS', b.s(b.computed('join "," .Values.turn.stunUrls', v0.turn.stunUrls.join(','))), on],
    ['TURN_TTL_SECONDS', b.envInt((v) => v.turn.ttlSeconds), on],
  ];
}
/** TURN_SECRET of the gateway: from the Secret coturn reads, never a value. */
export function turnGatewayEnv(b: Binding) {
  return [{ cond: turnOn(b), name: 'TURN_SECRET', valueFrom: secretRef(b) }];
}

// --- checks for gambit.validate ------------------------------------------------------------------------

const T = '.Values.turn';
const inRelay = (port: string) => `(and (ge (int ${port}) (int ${T}.relayPorts.min)) (le (int ${port}) (int ${T}.relayPorts.max)))`;
const inRelayLiteral = (v: Values, port: number) => port >= v.turn.relayPorts.min && port <= v.turn.relayPorts.max;
/** The ports coturn opens on the node besides the relay range, each only when it is used. */
const listenPorts = (v: Values) => [v.turn.port, ...(v.turn.tls.existingSecret ? [v.turn.tls.port] : []), ...(v.turn.metrics.enabled ? [v.turn.metrics.port] : [])];

export const TURN_VALIDATIONS: { helm: string; literal: (v: Values) => boolean; message: string }[] = [
  {
    helm: `(and ${T}.enabled (not ${T}.urls))`,
    literal: (v) => v.turn.enabled && v.turn.urls.length === 0,
    message: 'turn.urls is required when turn.enabled is true: the TURN URLs players\' browsers use, e.g. turn:turn.example.com:3478?transport=udp (a DNS name for the public addresses of the coturn nodes)',
  },
  {
    helm: `(and ${T}.enabled (gt (int ${T}.relayPorts.min) (int ${T}.relayPorts.max)))`,
    literal: (v) => v.turn.enabled && v.turn.relayPorts.min > v.turn.relayPorts.max,
    message: 'turn.relayPorts.min must not exceed turn.relayPorts.max',
  },
  {
    // one address in every pod's relay candidates: right for one node only
    helm: `(and ${T}.enabled ${T}.externalIp (gt (int ${T}.replicas) 1))`,
    literal: (v) => v.turn.enabled && v.turn.externalIp !== '' && v.turn.replicas > 1,
    message: 'turn.externalIp is one address for every coturn pod, but each pod runs on a node of its own: with turn.replicas above 1 leave turn.externalIp empty (each pod learns its node\'s public address), or run one replica',
  },
  {
    helm: `(and ${T}.enabled (not ${T}.tls.existingSecret) (regexMatch "(^|,)turns:" (join "," ${T}.urls)))`,
    literal: (v) => v.turn.enabled && !v.turn.tls.existingSecret && v.turn.urls.some((u) => u.startsWith('turns:')),
    message: 'turn.urls has a turns: URL but coturn has no TLS listener: set turn.tls.existingSecret (a kubernetes.io/tls Secret for the TURN host name)',
  },
  {
    helm: `(and ${T}.enabled (or ${inRelay(`${T}.port`)} (and ${T}.tls.existingSecret (or ${inRelay(`${T}.tls.port`)} (eq (int ${T}.tls.port) (int ${T}.port)))) (and ${T}.metrics.enabled (or ${inRelay(`${T}.metrics.port`)} (eq (int ${T}.metrics.port) (int ${T}.port)) (and ${T}.tls.existingSecret (eq (int ${T}.metrics.port) (int ${T}.tls.port)))))))`,
    literal: (v) => {
      if (!v.turn.enabled) return false;
      const ports = listenPorts(v);
      return new Set(ports).size !== ports.length || ports.some((p) => inRelayLiteral(v, p));
    },
    message: 'turn.port, turn.tls.port and turn.metrics.port must differ from each other and lie outside turn.relayPorts: they all open on the node',
  },
];

// --- coturn -----------------------------------------------------------------------------------------

/**
 * Starts turnserver with the node's public address. Kubernetes expands $(VAR) in command and args
 * ($$ is a literal $), so the command substitution is written $$( ). The args come in as "$@";
 * the denied peer ranges are split from one variable because Helm cannot splice a list into args.
 */
const START = [
  'ip="$TURN_EXTERNAL_IP"',
  'if [ -z "$ip" ]; then',
  '  ip="$$(detect-external-ip)" || { echo "coturn: DNS did not tell this node\'s public address; set turn.externalIp" >&2; exit 1; }',
  'fi',
  'for range in $TURN_DENIED_PEER_IPS; do set -- "$@" "--denied-peer-ip=$range"; done',
  'exec turnserver "$@" "--external-ip=$ip/$POD_IP"',
].join('\n');

export class Turn extends Construct {
  constructor(scope: Construct, id: string, b: Binding) {
    super(scope, id);
    const c = 'turn';
    const t = (v: Values) => v.turn;
    const v0 = b.values;
    const tls = tlsOn(b);
    const metrics = metricsOn(b);
    const num = (get: (v: Values) => number) => b.computed(`int64 ${b.v(get).helm}`, get(v0));
    const sa = serviceAccount(this, b, c, (v) => t(v).serviceAccount.annotations);

    b.optional(b.not(b.truthy((v) => t(v).existingSecret)), this, 'generated', (s) => {
      raw(s, 'secret', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: meta(b, c),
        type: 'Opaque',
        // Helm: new on install, the same on every upgrade (lookup); plain manifests: new per synth.
        data: { [b.s((v) => t(v).secretKey)]: b.s(b.computed('include "gambit.turnSecretValue" .', Buffer.from(randomText()).toString('base64'))) },
      });
    });

    // SQLite user database: coturn opens one even with a static secret; the root filesystem is read-only.
    const data = kplus.Volume.fromEmptyDir(this, 'data', 'data', { sizeLimit: Size.mebibytes(16) });
    const d = workload(this, b, {
      component: c,
      settings: t,
      user: UIDS.coturn,
      serviceAccount: sa,
      replicas: b.n((v) => t(v).replicas),
      volumes: [data],
      terminationGracePeriodSeconds: 30,
      container: {
        name: 'coturn',
        ports: [
          { name: 'turn-udp', number: b.n((v) => t(v).port), protocol: 'UDP' },
          { name: 'turn-tcp', number: b.n((v) => t(v).port) },
        ],
        command: ['/bin/sh', '-c', START, 'turnserver'],
        args: present([
          '-n', '--log-file=stdout', '--simple-log', '--no-cli',
          '--pidfile=/tmp/turnserver.pid', '--userdb=/var/lib/coturn/turndb',
          // the node's primary address only (the host network has others), mapped to the public one by START
          '--listening-ip=$(POD_IP)', '--relay-ip=$(POD_IP)',
          b.cat('--listening-port=', num((v) => t(v).port)),
          b.cat('--min-port=', num((v) => t(v).relayPorts.min)),
          b.cat('--max-port=', num((v) => t(v).relayPorts.max)),
          b.cat('--realm=', b.v((v) => t(v).realm)),
          // TURN REST: the gateways sign "<expiry>:<player>" with the same secret (services/gateway/src/ws/turn.ts)
          '--use-auth-secret', '--static-auth-secret=$(TURN_SECRET)',
          b.cat('--user-quota=', num((v) => t(v).userQuota)),
          b.cat('--total-quota=', num((v) => t(v).totalQuota)),
          // browsers relay over UDP only (no RFC 6062 TCP relays), never to multicast; one address: no RFC 5780
          '--fingerprint', '--no-tcp-relay', '--no-multicast-peers', '--no-rfc5780', '--no-software-attribute', '--no-dtls',
          b.item(tls, '--cert=/etc/coturn/tls/tls.crt'),
          b.item(tls, '--pkey=/etc/coturn/tls/tls.key'),
          b.item(tls, b.cat('--tls-listening-port=', num((v) => t(v).tls.port))),
          b.item(b.not(tls), '--no-tls'),
          b.item(metrics, '--prometheus'),
          // the = form: coturn 4.6 crashes on "--prometheus-port 9641" (coturn issue 1476)
          b.item(metrics, b.cat('--prometheus-port=', num((v) => t(v).metrics.port))),
        ]),
        env: { POD_IP: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP) },
        conditionalEnv: [
          { cond: b.always, name: 'TURN_SECRET', valueFrom: secretRef(b) },
          { cond: b.always, name: 'TURN_EXTERNAL_IP', value: b.s((v) => t(v).externalIp) },
          { cond: b.always, name: 'TURN_DENIED_PEER_IPS', value: b.s(b.computed('join " " .Values.turn.deniedPeerIps', v0.turn.deniedPeerIps.join(' '))) },
        ],
        // coturn has no health endpoint; it accepts TCP on its TURN port once it listens
        health: { live: { port: b.n((v) => t(v).port), tcp: true }, ready: { port: b.n((v) => t(v).port), tcp: true }, startupSeconds: 30 },
        mounts: [{ path: '/var/lib/coturn', volume: data }],
      },
    });
    this.hostNetwork(d, b, tls, metrics);
    headlessService(this, b, tls, metrics);
    disruptionBudget(this, b, c, (v) => t(v).pdb);
  }

  /** What sets coturn apart from the other workloads: the node's network, the binary's capability, TLS. */
  private hostNetwork(d: kplus.Deployment, b: Binding, tls: Cond, metrics: Cond) {
    const pod = '/spec/template/spec';
    const ctr = `${pod}/containers/0`;
    // The relay address must be the address coturn's packets leave from: the node's public one.
    postPatch(d, JsonPatch.replace(`${pod}/hostNetwork`, true));
    postPatch(d, JsonPatch.replace(`${pod}/dnsPolicy`, 'ClusterFirstWithHostNet'));
    // A new pod cannot start on a node whose ports the old one holds: replace, never surge. A
    // restart drops that pod's relayed calls either way; the browsers restart ICE.
    postPatch(d, JsonPatch.replace('/spec/strategy', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }));
    // The image gives /usr/bin/turnserver the file capability NET_BIND_SERVICE (+ep). The kernel
    // refuses to exec such a binary when the capability is outside the bounding set, which drop ALL
    // empties (coturn issue 1126): keep exactly that one in the bounding set.
    postPatch(d, JsonPatch.add(`${ctr}/securityContext/capabilities/add`, ['NET_BIND_SERVICE']));
    // Only a TLS port below 1024 needs the capability for real: then let exec grant it.
    const low = b.computed(
      '(and (ne .Values.turn.tls.existingSecret "") (lt (int .Values.turn.tls.port) 1024))',
      b.values.turn.tls.existingSecret !== '' && b.values.turn.tls.port < 1024,
    );
    postPatch(d, JsonPatch.replace(`${ctr}/securityContext/allowPrivilegeEscalation`, b.bool(low)));
    const port = (cond: Cond, item: object) => {
      const x = b.item(cond, item);
      if (x) postPatch(d, JsonPatch.add(`${ctr}/ports/-`, x));
    };
    port(tls, { name: 'turns', containerPort: b.n((v) => v.turn.tls.port), protocol: 'TCP' });
    port(metrics, { name: 'metrics', containerPort: b.n((v) => v.turn.metrics.port), protocol: 'TCP' });
    const vol = b.item(tls, { name: 'tls', secret: { secretName: b.s((v) => v.turn.tls.existingSecret) } });
    if (vol) postPatch(d, JsonPatch.add(`${pod}/volumes/-`, vol));
    const mount = b.item(tls, { name: 'tls', mountPath: '/etc/coturn/tls', readOnly: true });
    if (mount) postPatch(d, JsonPatch.add(`${ctr}/volumeMounts/-`, mount));
  }
}

/**
 * Headless: its endpoints are the nodes' addresses. Players never use it (they reach the nodes'
 * public addresses through turn.urls); the ServiceMonitor finds /metrics through it, and
 * external-dns can publish the nodes' public addresses from it (turn.service.annotations).
 */
function headlessService(scope: Construct, b: Binding, tls: Cond, metrics: Cond): void {
  const c = 'turn';
  raw(scope, 'service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: b.s(b.name(c)), labels: b.labels(c), ...b.annotations({}, (v) => v.turn.service.annotations) },
    spec: {
      type: 'ClusterIP',
      clusterIP: 'None',
      selector: b.selector(c),
      ports: present([
        { name: 'turn-udp', port: b.n((v) => v.turn.port), targetPort: 'turn-udp', protocol: 'UDP' },
        { name: 'turn-tcp', port: b.n((v) => v.turn.port), targetPort: 'turn-tcp', protocol: 'TCP' },
        b.item(tls, { name: 'turns', port: b.n((v) => v.turn.tls.port), targetPort: 'turns', protocol: 'TCP' }),
        b.item(metrics, { name: 'metrics', port: b.n((v) => v.turn.metrics.port), targetPort: 'metrics', protocol: 'TCP' }),
      ]),
    },
  });
}

// --- NetworkPolicy -----------------------------------------------------------------------------------

/**
 * Players (turn.ingressCidrs) -> the TURN port (UDP, TCP), the TLS port, the relay range (UDP);
 * Prometheus -> metrics; coturn -> the players' addresses (UDP, any port: relayed media) and DNS.
 * On the host network most CNIs do not enforce it (the security group does the work); it states
 * the same rules and holds wherever a CNI does apply it.
 */
export function turnNetworkPolicy(scope: Construct, b: Binding, k: PolicyKit): void {
  const udp = (port: number, endPort?: number) => ({ protocol: 'UDP', port, ...(endPort === undefined ? {} : { endPort }) });
  k.policy(scope, 'turn', 'turn', {
    policyTypes: ['Ingress', 'Egress'],
    ingress: present([
      {
        from: k.ipBlocks((v) => v.turn.ingressCidrs),
        ports: present([
          udp(b.n((v) => v.turn.port)),
          k.tcp(b.n((v) => v.turn.port)),
          b.item(tlsOn(b), k.tcp(b.n((v) => v.turn.tls.port))),
          udp(b.n((v) => v.turn.relayPorts.min), b.n((v) => v.turn.relayPorts.max)),
        ]),
      },
      b.item(metricsOn(b), { from: [k.prometheus], ports: [k.tcp(b.n((v) => v.turn.metrics.port))] }),
    ]),
    egress: [k.dns, { to: k.ipBlocks((v) => v.turn.peerCidrs), ports: [{ protocol: 'UDP' }] }],
  });
}
