// The cdk8s app itself: a snapshot of its plain synthesis (Testing.synth), properties that must
// hold for any valid values (random ones, seeded), the chart agreeing with the plain synthesis for
// those random values too, and the YAML emitter that writes the templates.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, Testing } from 'cdk8s';
import { Binding, truthy, valuesPath } from '../../cdk8s/src/binding.js';
import { scalar, templateFile, toYaml } from '../../cdk8s/src/emit.js';
import { build, validateValues } from '../../cdk8s/src/helm.js';
import { readInputs, type ChartInputs } from '../../cdk8s/src/inputs.js';
import { mergeValues } from '../../cdk8s/src/profiles.js';
import { defaultValues, type Values } from '../../cdk8s/src/values.js';
import { parseYaml } from '../../cdk8s/src/yaml.js';
import { PLAINTEXT_VALUES, byKind, pods, render, selects, validateObject, type K8sObject } from './support.js';
import { isPublic, tlsOn } from '../../cdk8s/src/tls.js';

let inputs: ChartInputs;
beforeAll(async () => { inputs = await readInputs(); });

const synth = (values: Values, release = { name: 'gambit', namespace: 'gambit' }) =>
  Testing.synth(build('literal', inputs, values, release).chart) as K8sObject[];

/** The random parts (the generated signing key) masked, so the snapshot is stable. */
const stable = (objects: K8sObject[]) =>
  objects.map((o) => (o.kind === 'Secret' ? { ...o, data: Object.fromEntries(Object.keys((o as unknown as { data: object }).data).map((k) => [k, '<random>'])) } : o));

describe('synthesis', () => {
  test('snapshot of the default values (plain manifests)', () => {
    // the defaults with plaintext allowed render what the defaults rendered before TLS was required
    expect(stable(synth(mergeValues(defaultValues(), PLAINTEXT_VALUES)))).toMatchSnapshot();
  });

  test('the bare defaults are refused: a public gateway Service without TLS', () => {
    expect(() => synth(defaultValues())).toThrow('the gateway Service is public (gateway.service.type LoadBalancer or NodePort) without TLS');
  });

  test('the helm-mode synthesis carries template expressions, never values', () => {
    const { chart, binding } = build('helm', inputs);
    const text = JSON.stringify(Testing.synth(chart));
    expect(text).toContain('{{ .Values.gateway.drainMs | int64 | quote }}');
    expect(text).toContain('"@@if .Values.redis.auth.existingSecret"');
    expect(text).not.toContain('"DRAIN_MS":"10000"');
    const monitors = chart.node.findAll().filter((c) => c instanceof ApiObject && c.kind === 'ServiceMonitor');
    expect(monitors.length).toBe(6); // gateway, engine, finalizer, room-reaper, accounts, turn
    expect(binding.conditionOf(monitors[0]!).helm).toBe('.Values.monitoring.serviceMonitor.enabled');
  });

  test('bad combinations are refused in plain synthesis as the chart refuses them', () => {
    const v = mergeValues(defaultValues(), { redis: { bundled: { enabled: false } } });
    expect(() => validateValues(v)).toThrow('redis.external.host is required');
    expect(() => synth(v)).toThrow('redis.external.host is required');
  });
});

// --- properties over random values ------------------------------------------------------------------

/** mulberry32: small, seeded, reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    bool: () => next() < 0.5,
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

function randomValues(seed: number): { values: Values; overrides: Record<string, unknown> } {
  const r = rng(seed);
  const bundled = r.bool();
  const local = r.bool();
  const reaper = r.bool();
  const min = r.int(1, 5);
  const type = r.pick(['LoadBalancer', 'NodePort', 'ClusterIP'] as const);
  const overrides = {
    nameOverride: r.pick(['', 'chess']),
    commonLabels: r.bool() ? { team: 'games' } : {},
    commonAnnotations: r.bool() ? { owner: 'sre' } : {},
    keyPrefix: r.pick(['gambit', 'g2:prod']),
    topologySpread: { enabled: r.bool(), whenUnsatisfiable: r.pick(['ScheduleAnyway', 'DoNotSchedule'] as const) },
    auth: { existingSecret: r.pick(['', 'my-token']), tokenTtlSeconds: r.int(60, 10_000_000) },
    redis: {
      bundled: { enabled: bundled, persistence: { enabled: r.bool() } },
      external: { host: bundled ? '' : 'redis.example.internal', tls: r.bool(), port: r.int(1, 65535) },
      auth: { existingSecret: r.pick(['', 'redis-auth']) },
    },
    dynamodb: { local: { enabled: local }, endpoint: local ? '' : r.pick(['', 'http://dynamo:8000']), createTables: r.bool() },
    gateway: {
      replicas: r.int(1, 9),
      drainMs: r.int(0, 120_000),
      preStopSleepSeconds: r.int(0, 60),
      service: { type, port: r.int(1, 65535), nodePort: r.int(30000, 32767) },
      nlb: { enabled: r.bool(), crossZone: r.bool(), proxyProtocol: r.bool(), certificateArn: type === 'LoadBalancer' && r.bool() ? 'arn:aws:acm:eu-west-1:1:certificate/x' : '' },
      nodeSelector: r.bool() ? { pool: 'realtime' } : {},
    },
    engine: { replicas: r.int(1, 9), autoscaling: { enabled: r.bool(), minReplicas: min, maxReplicas: min + r.int(0, 10) } },
    finalizer: { replicas: r.int(1, 5), pdb: { enabled: r.bool() } },
    roomReaper: { enabled: reaper, scaler: { enabled: r.bool(), minReplicas: min, maxReplicas: min + r.int(0, 10) } },
    web: { enabled: r.bool() },
    networkPolicy: { enabled: r.bool() },
    monitoring: { serviceMonitor: { enabled: r.bool() }, prometheusRule: { enabled: r.bool() }, dashboards: { enabled: r.bool() } },
    tests: { enabled: r.bool() },
  };
  // accounts last, so the draws above (and the values of the seeds before accounts existed) stay the same
  const accounts = r.bool();
  const embedded = accounts && r.bool();
  const idpType = r.pick(['LoadBalancer', 'NodePort', 'ClusterIP'] as const);
  Object.assign(overrides, {
    accounts: {
      enabled: accounts,
      publicUrl: accounts ? r.pick(['https://chess.example.com', 'http://localhost:8080']) : '',
      oidc: embedded ? {} : { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC', clientId: 'c1', existingSecret: 'cognito-client', endSessionUrl: r.pick(['', 'https://gambit.auth.eu-west-1.amazoncognito.com/logout']) },
      pdb: { enabled: r.bool() },
    },
    idProvider: {
      enabled: embedded,
      issuer: embedded ? r.pick(['https://id.chess.example.com', 'http://id.example.internal:30090']) : '',
      existingSecret: r.pick(['', 'idp-keys']),
      service: { type: idpType, port: r.int(1, 65535), nodePort: r.int(30000, 32767) },
      nlb: { enabled: r.bool(), certificateArn: idpType === 'LoadBalancer' && r.bool() ? 'arn:aws:acm:eu-west-1:1:certificate/y' : '' },
    },
  });
  // TLS last, for the same reason: plaintext allowed when the Service is public without TLS, else drawn
  const drawn = mergeValues(defaultValues(), overrides);
  const plaintext = (isPublic(drawn) && !tlsOn(drawn)) || r.bool();
  (overrides.gateway as Record<string, unknown>).tls = { allowPlaintext: plaintext };
  // a site under TLS has an https origin (the chart refuses http:// then)
  const acc = (overrides as unknown as { accounts: { publicUrl: string } }).accounts;
  if (tlsOn(drawn) && acc.publicUrl.startsWith('http://')) acc.publicUrl = 'https://chess.example.com';
  // coturn after everything else, for the same reason; a fixed external address only with one replica
  const turnReplicas = r.int(1, 3);
  const turnTls = r.bool();
  Object.assign(overrides, {
    turn: {
      enabled: r.bool(),
      urls: ['turn:turn.example.com:3478?transport=udp', ...(turnTls ? ['turns:turn.example.com:5349?transport=tcp'] : [])],
      stunUrls: r.bool() ? ['stun:turn.example.com:3478'] : [],
      replicas: turnReplicas,
      externalIp: turnReplicas === 1 && r.bool() ? '52.16.1.2' : '',
      existingSecret: r.pick(['', 'my-turn']),
      tls: { existingSecret: turnTls ? 'turn-tls' : '', port: r.pick([443, 5349]) },
      metrics: { enabled: r.bool() },
      pdb: { enabled: r.bool() },
    },
  });
  return { values: mergeValues(defaultValues(), overrides), overrides };
}

const SEEDS = Array.from({ length: 24 }, (_, i) => 1000 + i * 7919);

describe('properties for random valid values', () => {
  test.each(SEEDS)('seed %i: valid objects, DNS-safe names, the drain window, policies, replicas owners', async (seed) => {
    const { values: v } = randomValues(seed);
    const objects = synth(v);
    for (const o of objects) {
      await validateObject(o, inputs.controller.crd ? [inputs.controller.crd] : []);
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      expect(o.metadata.labels?.['app.kubernetes.io/instance']).toBe('gambit');
      if (v.commonLabels.team) expect(o.metadata.labels?.team).toBe('games');
    }
    const gw = pods(objects.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'gateway'))[0]!;
    const needed = v.gateway.preStopSleepSeconds + Math.ceil(v.gateway.drainMs / 1000);
    expect(gw.spec.terminationGracePeriodSeconds).toBeGreaterThan(needed);
    // TLS by default: the plain port is there without TLS or when allowed, 443 with a certificate
    const svc = objects.find((o) => o.kind === 'Service' && o.metadata.labels?.['app.kubernetes.io/component'] === 'gateway') as unknown as { spec: { ports: { port: number; name: string }[] } };
    expect(svc.spec.ports.some((p) => p.name === 'http')).toBe(!tlsOn(v) || v.gateway.tls.allowPlaintext);
    if (tlsOn(v)) expect(svc.spec.ports.some((p) => p.port === 443)).toBe(true);
    // every pod under the default deny exactly when policies are on
    const deny = byKind(objects, 'NetworkPolicy').find((p) => p.metadata.name.endsWith('default-deny'));
    expect(!!deny).toBe(v.networkPolicy.enabled);
    if (deny) for (const p of pods(objects)) expect(selects((deny as unknown as { spec: { podSelector: { matchLabels: Record<string, string> } } }).spec.podSelector, p.labels)).toBe(true);
    // one owner of the replica count
    const replicas = (component: string) => (objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === component) as unknown as { spec: { replicas?: number } }).spec.replicas;
    expect(replicas('game-engine')).toBe(v.engine.autoscaling.enabled ? undefined : v.engine.replicas);
    expect(replicas('gateway')).toBe(v.roomReaper.enabled && v.roomReaper.scaler.enabled ? undefined : v.gateway.replicas);
    expect(byKind(objects, 'HorizontalPodAutoscaler').length).toBe(v.engine.autoscaling.enabled ? 1 : 0);
    // Redis: the bundled one or the external host, never both
    expect(objects.some((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-redis'))).toBe(v.redis.bundled.enabled);
    const url = gw.spec.containers[0]!.env!.find((e) => e.name === 'REDIS_URL')!.value!;
    expect(url.includes('redis.example.internal')).toBe(!v.redis.bundled.enabled);
    expect(url.includes('$(REDIS_PASSWORD)')).toBe(v.redis.auth.existingSecret !== '');
    // accounts: the gateway points at them and checks their tokens with the key of the token Secret
    const deployment = (c: string) => objects.some((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === c);
    expect(deployment('accounts')).toBe(v.accounts.enabled);
    expect(deployment('id-provider')).toBe(v.idProvider.enabled);
    const gwEnv = gw.spec.containers[0]!.env!.map((e) => e.name);
    expect(gwEnv.includes('TOKEN_SIGNING_KEY')).toBe(v.auth.guestTokens || v.accounts.enabled);
    const gwConfig = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-gateway')) as unknown as { data: Record<string, string> };
    expect('ACCOUNTS_URL' in gwConfig.data).toBe(v.accounts.enabled);
    expect(objects.some((o) => o.kind === 'Secret' && o.metadata.name.endsWith('-token'))).toBe((v.auth.guestTokens || v.accounts.enabled) && !v.auth.existingSecret);
    // coturn: there exactly when enabled, and the gateway signs with the Secret key coturn reads
    expect(deployment('turn')).toBe(v.turn.enabled);
    expect('TURN_URLS' in gwConfig.data).toBe(v.turn.enabled);
    const gwTurn = gw.spec.containers[0]!.env!.find((e) => e.name === 'TURN_SECRET');
    expect(!!gwTurn).toBe(v.turn.enabled);
    if (gwTurn) {
      const turnPod = pods(objects.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'turn'))[0]!;
      expect(turnPod.spec.containers[0]!.env!.find((e) => e.name === 'TURN_SECRET')).toEqual(gwTurn);
    }
  });

  test.each(SEEDS.slice(0, 10))('seed %i: helm template with these values == the plain synthesis', (seed) => {
    const { values, overrides } = randomValues(seed);
    const dir = mkdtempSync(join(tmpdir(), 'gambit-values-'));
    const file = join(dir, 'values.yaml');
    writeFileSync(file, toYaml(overrides));
    const normalize = (objects: K8sObject[]) => objects
      .filter((o) => !o.metadata.annotations?.['helm.sh/hook'] && !o.metadata.name.endsWith('-test'))
      .map((o) => {
        const x = JSON.parse(JSON.stringify(o)) as K8sObject & { data?: unknown; spec?: { ingress?: { from?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[]; template?: { metadata?: { annotations?: Record<string, string> } } } };
        if (x.metadata.namespace === 'gambit') delete x.metadata.namespace;
        if (x.kind === 'Secret') delete x.data;
        delete x.spec?.template?.metadata?.annotations?.['checksum/config'];
        if (x.kind === 'NetworkPolicy' && x.spec?.ingress) x.spec.ingress = x.spec.ingress.filter((r) => !(r.from ?? []).some((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'test'));
        return x;
      })
      .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    const helm = render({ files: [file] });
    const plain = Testing.synth(build('literal', inputs, values, { name: 'gambit', namespace: 'gambit', service: 'Helm' }).chart) as K8sObject[];
    expect(normalize(plain)).toEqual(normalize(helm));
  });
});

// --- the emitter and the binding ----------------------------------------------------------------------

describe('YAML emitter', () => {
  test.each([
    'plain', 'true', 'no', 'null', '~', '0123', '1e3', '.5', '-1', '', ' lead', 'trail ', 'a: b', 'a:b', 'x #y', '#x', '- x', '*', '&a', '!t',
    '@at', '`tick`', '"q"', "'s'", 'multi\nline\n', 'multi\nline', 'tab\there', 'über', '{}', '[x]', '50%', 'localhost/gambit/gateway:0.1.0',
  ])('string %j survives a YAML round trip', (s) => {
    const doc = toYaml({ k: s, list: [s], nested: { [s || 'empty']: s } });
    expect(parseYaml(doc)).toEqual({ k: s, list: [s], nested: { [s || 'empty']: s } });
  });

  test('numbers, booleans, null, empty maps and lists', () => {
    const v = { n: 1, f: 1.5, neg: -3, t: true, f2: false, z: null, m: {}, l: [], deep: [{ a: [1, { b: 2 }] }] };
    expect(parseYaml(toYaml(v))).toEqual(v);
  });

  test('template markers become template structure', () => {
    expect(scalar('{{ .Values.x | quote }}')).toBe('{{ .Values.x | quote }}');
    expect(scalar('http://{{ include "n" . }}:80')).toBe('"http://{{ include "n" . }}:80"');
    const out = toYaml({
      spec: {
        '@@if .Values.a@@field': 1,
        always: 'x',
        '@@merge .Values.labels': '',
        block: '@@yaml toYaml .Values.r',
        text: '@@text .Files.Get "f"',
        list: [{ '@@if .Values.b': { name: 'n' } }, 'y'],
      },
    });
    expect(out).toBe([
      'spec:',
      '{{- if .Values.a }}',
      '  field: 1',
      '{{- end }}',
      '  always: x',
      '{{- with .Values.labels }}',
      '{{- toYaml . | nindent 2 }}',
      '{{- end }}',
      '  block:',
      '{{- toYaml .Values.r | nindent 4 }}',
      '  text: |-',
      '{{- .Files.Get "f" | nindent 4 }}',
      '  list:',
      '{{- if .Values.b }}',
      '    - name: "n"', // YAML 1.1 reads n and y as booleans
      '{{- end }}',
      '    - "y"',
      '',
    ].join('\n'));
    // only-conditional maps get a guard around the key: never `key: null`
    expect(toYaml({ a: 1, m: { '@@if .Values.x@@k': 'v' } })).toContain('{{- if .Values.x }}\nm:\n{{- if .Values.x }}');
    expect(templateFile([{ value: { a: 1 }, cond: '.Values.on' }])).toBe('{{- if .Values.on }}\n---\na: 1\n{{- end }}\n');
  });
});

describe('binding', () => {
  test('accessors become .Values paths', () => {
    expect(valuesPath((v) => v.gateway.nlb.idleTimeoutSeconds)).toBe('.Values.gateway.nlb.idleTimeoutSeconds');
    expect(() => valuesPath(() => 3 as never)).toThrow('not a values accessor');
  });

  test('Go template truthiness', () => {
    for (const f of [false, 0, '', null, undefined, [], {}]) expect(truthy(f)).toBe(false);
    for (const t of [true, 1, 'x', [0], { a: 1 }]) expect(truthy(t)).toBe(true);
  });

  test('names follow Helm\'s fullname rules', () => {
    const name = (release: string, over: Partial<Values> = {}) => new Binding('literal', mergeValues(defaultValues(), over), { name: release, namespace: 'x' }).name('gateway').literal;
    expect(name('gambit')).toBe('gambit-gateway');
    expect(name('prod')).toBe('prod-gambit-gateway');
    expect(name('prod', { fullnameOverride: 'chess' })).toBe('chess-gateway');
    expect(name('prod', { nameOverride: 'chess' })).toBe('prod-chess-gateway');
    expect(name('x'.repeat(70)).length).toBeLessThanOrEqual(63);
  });
});
