// Accounts in the chart (accounts.enabled, with the embedded idProvider or with Cognito): the objects
// render, lint and validate against the Kubernetes schemas; the gateway is pointed at the accounts
// Service and checks its tokens with the same key; every secret comes from a Secret; the
// NetworkPolicies open the accounts' paths and no others; contradictory values are refused with a
// message; the chart agrees with the plain synthesis of the same values.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, validateValues } from '../../cdk8s/src/helm.js';
import { readInputs } from '../../cdk8s/src/inputs.js';
import { eksProfile, mergeValues } from '../../cdk8s/src/profiles.js';
import { defaultValues } from '../../cdk8s/src/values.js';
import { parseYamlAll } from '../../cdk8s/src/yaml.js';
import {
  PLAINTEXT_VALUES, allowed, byKind, chartDir, comparable, helm, named, pods, policiesFor, profileFiles, render, validateObject,
  type Container, type K8sObject,
} from './support.js';

const SITE = 'https://chess.example.com';
const IDP = 'https://id.chess.example.com';
const COGNITO_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC';
const LOGOUT = 'https://gambit-chess.auth.eu-west-1.amazoncognito.com/logout';
/** The embedded provider, everything else default (bundled Redis). */
const EMBEDDED = ['accounts.enabled=true', `accounts.publicUrl=${SITE}`, 'idProvider.enabled=true', `idProvider.issuer=${IDP}`];
/** Cognito on the EKS profile, as docs/deploy-eks.md fills it from infra/aws/accounts.yaml. */
const COGNITO = [
  'accounts.enabled=true', `accounts.publicUrl=${SITE}`, `accounts.oidc.issuer=${COGNITO_ISSUER}`, 'accounts.oidc.clientId=abc123',
  'accounts.oidc.existingSecret=gambit-cognito', `accounts.oidc.endSessionUrl=${LOGOUT}`,
];

let embedded: K8sObject[];
let cognito: K8sObject[];
let crds: Record<string, unknown>[];
beforeAll(() => {
  embedded = render({ set: EMBEDDED });
  cognito = render({ files: profileFiles.eks, set: COGNITO });
  crds = readdirSync(join(chartDir, 'crds')).flatMap((f) => parseYamlAll(readFileSync(join(chartDir, 'crds', f), 'utf8')) as Record<string, unknown>[]);
});

const container = (objects: K8sObject[], deployment: string): Container => pods([named(objects, 'Deployment', deployment)])[0]!.spec.containers[0]!;
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const data = (objects: K8sObject[], kind: 'ConfigMap' | 'Secret', name: string) => (named(objects, kind, name) as unknown as { data: Record<string, string> }).data;
const ids = (objects: K8sObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('rendering', () => {
  test.each([
    ['embedded', EMBEDDED, []],
    ['cognito on EKS', COGNITO, profileFiles.eks],
    ['embedded on kind (NodePort)', [...EMBEDDED.slice(0, 3), 'accounts.publicUrl=http://localhost:8080', 'idProvider.issuer=http://172.18.0.2:30090', 'idProvider.service.type=NodePort'], profileFiles.kind],
  ])('%s: helm lint --strict passes', (_name, set, files) => {
    const r = helm(['lint', '--strict', chartDir, ...files.flatMap((f) => ['-f', f]), ...set.flatMap((s) => ['--set', s])]);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  test('every object is valid against its schema (kubernetes-models)', async () => {
    for (const o of [...embedded, ...cognito]) await validateObject(o, crds);
  });

  test('what the release contains: the accounts always, the id-provider only when enabled, nothing of either by default', () => {
    const accounts = ['Deployment/gambit-accounts', 'Service/gambit-accounts', 'ConfigMap/gambit-accounts', 'ServiceAccount/gambit-accounts',
      'PodDisruptionBudget/gambit-accounts', 'NetworkPolicy/gambit-accounts'];
    const idp = ['Deployment/gambit-id-provider', 'Service/gambit-id-provider', 'ConfigMap/gambit-id-provider', 'ServiceAccount/gambit-id-provider',
      'PodDisruptionBudget/gambit-id-provider', 'NetworkPolicy/gambit-id-provider', 'Secret/gambit-id-provider'];
    expect(ids(embedded)).toEqual(expect.arrayContaining([...accounts, ...idp, 'Secret/gambit-token']));
    expect(ids(cognito)).toEqual(expect.arrayContaining([...accounts, 'ServiceMonitor/gambit-accounts', 'Secret/gambit-token']));
    expect(ids(cognito).filter((i) => i.includes('id-provider'))).toEqual([]);
    expect(ids(render({})).filter((i) => /accounts|id-provider/.test(i))).toEqual([]);
  });
});

describe('the gateway and the accounts service', () => {
  test('the gateway gets ACCOUNTS_URL: the accounts Service, whose port reaches the container', () => {
    for (const objects of [embedded, cognito]) {
      expect(data(objects, 'ConfigMap', 'gambit-gateway').ACCOUNTS_URL).toBe('http://gambit-accounts:8070');
      const svc = named(objects, 'Service', 'gambit-accounts') as unknown as { spec: { type: string; ports: { port: number; targetPort: string }[] } };
      expect(svc.spec.type).toBe('ClusterIP');
      expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 8070, targetPort: 'http' })]);
      expect(container(objects, 'gambit-accounts').ports).toEqual([expect.objectContaining({ name: 'http', containerPort: 8070 })]);
      expect(data(objects, 'ConfigMap', 'gambit-accounts').PORT).toBe('8070');
    }
    expect(data(render({}), 'ConfigMap', 'gambit-gateway').ACCOUNTS_URL).toBeUndefined();
  });

  test('accounts sign socket tokens with the gateway\'s key, even with guest tokens off', () => {
    const o = render({ set: [...EMBEDDED, 'auth.guestTokens=false'] });
    expect(ids(o)).toContain('Secret/gambit-token');
    const gw = envOf(container(o, 'gambit-gateway'), 'TOKEN_SIGNING_KEY');
    expect(gw).toEqual({ name: 'TOKEN_SIGNING_KEY', valueFrom: { secretKeyRef: { name: 'gambit-token', key: 'signing-key' } } });
    expect(envOf(container(o, 'gambit-accounts'), 'TOKEN_SIGNING_KEY')).toEqual(gw);
    expect(data(o, 'ConfigMap', 'gambit-gateway').GUEST_TOKENS).toBe('false');
    expect(data(o, 'ConfigMap', 'gambit-accounts').GUEST_SESSIONS).toBe('false');
    // the operator's key goes to both
    const own = render({ set: [...EMBEDDED, 'auth.existingSecret=my-key', 'auth.signingKeyKey=k'] });
    expect(ids(own)).not.toContain('Secret/gambit-token');
    expect(envOf(container(own, 'gambit-accounts'), 'TOKEN_SIGNING_KEY')).toEqual(envOf(container(own, 'gambit-gateway'), 'TOKEN_SIGNING_KEY'));
    expect(envOf(container(own, 'gambit-accounts'), 'TOKEN_SIGNING_KEY')!.valueFrom).toEqual({ secretKeyRef: { name: 'my-key', key: 'k' } });
  });

  test('the accounts settings: the embedded provider by default, Cognito when given, tables from dynamodb.*', () => {
    expect(data(embedded, 'ConfigMap', 'gambit-accounts')).toMatchObject({
      PUBLIC_URL: SITE, OIDC_ISSUER: IDP, OIDC_CLIENT_ID: 'gambit', OIDC_ALLOW_HTTP: 'false', OIDC_END_SESSION_URL: '', OIDC_SCOPES: 'openid profile email',
      FINALIZER_URL: 'http://gambit-finalizer:8082', USERS_TABLE: 'gambit-users', USERNAMES_TABLE: 'gambit-usernames', FRIENDS_TABLE: 'gambit-friends', CREATE_TABLES: 'false', GUEST_SESSIONS: 'true',
    });
    expect(data(cognito, 'ConfigMap', 'gambit-accounts')).toMatchObject({
      OIDC_ISSUER: COGNITO_ISSUER, OIDC_CLIENT_ID: 'abc123', OIDC_END_SESSION_URL: LOGOUT, AWS_REGION: 'eu-west-1', DYNAMODB_ENDPOINT: '',
    });
    expect(data(render({ files: profileFiles.kind, set: [...EMBEDDED.slice(0, 3), 'accounts.publicUrl=http://localhost:8080', 'idProvider.issuer=http://172.18.0.2:30090'] }), 'ConfigMap', 'gambit-accounts'))
      .toMatchObject({ OIDC_ALLOW_HTTP: 'true', DYNAMODB_ENDPOINT: 'http://gambit-dynamodb:8000', CREATE_TABLES: 'true' });
    const renamed = render({ set: [...EMBEDDED, 'dynamodb.usersTable=users2', 'dynamodb.usernamesTable=names2', 'accounts.oidc.clientId=other', 'accounts.sessionTtlDays=7'] });
    expect(data(renamed, 'ConfigMap', 'gambit-accounts')).toMatchObject({ USERS_TABLE: 'users2', USERNAMES_TABLE: 'names2', OIDC_CLIENT_ID: 'other', SESSION_TTL_DAYS: '7' });
    expect(data(embedded, 'ConfigMap', 'gambit-id-provider')).toMatchObject({
      ISSUER: IDP, CLIENT_ID: 'gambit', REDIRECT_URIS: `${SITE}/auth/callback`, POST_LOGOUT_REDIRECT_URIS: `${SITE}/`, PORT: '8090', TRUST_PROXY: 'false',
    });
  });
});

describe('secrets come from Secrets', () => {
  test('the client secret: the id-provider\'s generated Secret, or the operator\'s for Cognito', () => {
    const ref = (objects: K8sObject[], d: string, name: string) => envOf(container(objects, d), name)?.valueFrom;
    expect(ref(embedded, 'gambit-accounts', 'OIDC_CLIENT_SECRET')).toEqual({ secretKeyRef: { name: 'gambit-id-provider', key: 'client-secret' } });
    expect(ref(embedded, 'gambit-id-provider', 'CLIENT_SECRET')).toEqual(ref(embedded, 'gambit-accounts', 'OIDC_CLIENT_SECRET'));
    expect(ref(embedded, 'gambit-id-provider', 'COOKIE_KEYS')).toEqual({ secretKeyRef: { name: 'gambit-id-provider', key: 'cookie-keys' } });
    expect(ref(embedded, 'gambit-id-provider', 'SIGNING_KEY')).toEqual({ secretKeyRef: { name: 'gambit-id-provider', key: 'signing-key' } });
    expect(ref(cognito, 'gambit-accounts', 'OIDC_CLIENT_SECRET')).toEqual({ secretKeyRef: { name: 'gambit-cognito', key: 'client-secret' } });
    const key = render({ files: profileFiles.eks, set: [...COGNITO, 'accounts.oidc.clientSecretKey=secret'] });
    expect(ref(key, 'gambit-accounts', 'OIDC_CLIENT_SECRET')).toEqual({ secretKeyRef: { name: 'gambit-cognito', key: 'secret' } });
    // the operator's id-provider Secret: none generated, both sides point at it
    const own = render({ set: [...EMBEDDED, 'idProvider.existingSecret=idp-keys'] });
    expect(ids(own)).not.toContain('Secret/gambit-id-provider');
    expect(ref(own, 'gambit-accounts', 'OIDC_CLIENT_SECRET')).toEqual({ secretKeyRef: { name: 'idp-keys', key: 'client-secret' } });
    expect(ref(own, 'gambit-id-provider', 'SIGNING_KEY')).toEqual({ secretKeyRef: { name: 'idp-keys', key: 'signing-key' } });
  });

  test('the generated id-provider Secret holds strong values, and none of them appears anywhere else', () => {
    const secret = Object.fromEntries(Object.entries(data(embedded, 'Secret', 'gambit-id-provider')).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    expect(Object.keys(secret).sort()).toEqual(['client-secret', 'cookie-keys', 'signing-key']);
    expect(secret['client-secret']).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(secret['cookie-keys']).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(secret['client-secret']).not.toBe(secret['cookie-keys']);
    const key = createPrivateKey(secret['signing-key']!);
    expect([key.asymmetricKeyType, key.asymmetricKeyDetails?.namedCurve]).toEqual(['ec', 'prime256v1']);
    // a second install gets other values (helm template has no cluster to read the first back from)
    expect(data(render({ set: EMBEDDED }), 'Secret', 'gambit-id-provider')['client-secret']).not.toBe(data(embedded, 'Secret', 'gambit-id-provider')['client-secret']);
    const text = JSON.stringify(embedded.filter((o) => o.kind !== 'Secret'));
    for (const [k, v] of Object.entries(secret)) expect({ k, leaked: text.includes(JSON.stringify(v).slice(1, 30)) }).toEqual({ k, leaked: false });
  });

  test('no secret-looking variable of the accounts or the id-provider has a plain value', () => {
    const secretish = /SECRET|PASSWORD|SIGNING|COOKIE|PRIVATE/;
    for (const d of ['gambit-accounts', 'gambit-id-provider']) {
      for (const e of container(embedded, d).env ?? []) {
        if (secretish.test(e.name)) expect({ d, env: e.name, ref: !!(e.valueFrom as { secretKeyRef?: unknown } | undefined)?.secretKeyRef }).toEqual({ d, env: e.name, ref: true });
      }
      for (const k of Object.keys(data(embedded, 'ConfigMap', d))) expect({ d, k, secret: secretish.test(k) }).toEqual({ d, k, secret: false });
    }
  });
});

describe('the id-provider\'s Service: its own public origin', () => {
  const p = 'service.beta.kubernetes.io/aws-load-balancer-';
  type Svc = K8sObject & { spec: { type: string; ports: { name: string; port: number; nodePort?: number }[]; loadBalancerSourceRanges?: string[] } };

  test('LoadBalancer by default, an NLB like the gateway\'s, TLS on 443 with a certificate', () => {
    const plain = named(embedded, 'Service', 'gambit-id-provider') as Svc;
    expect(plain.spec.type).toBe('LoadBalancer');
    expect(plain.spec.ports.map((x) => x.port)).toEqual([80]);
    expect(plain.metadata.annotations).toMatchObject({ [`${p}type`]: 'external', [`${p}nlb-target-type`]: 'ip', [`${p}healthcheck-path`]: '/healthz', [`${p}target-group-attributes`]: 'preserve_client_ip.enabled=true' });
    expect(plain.metadata.annotations![`${p}ssl-cert`]).toBeUndefined();
    const tls = named(render({ set: [...EMBEDDED, 'idProvider.nlb.certificateArn=arn:aws:acm:eu-west-1:1:certificate/z', 'idProvider.nlb.scheme=internal'] }), 'Service', 'gambit-id-provider') as Svc;
    expect(tls.spec.ports.map((x) => [x.name, x.port])).toEqual([['http', 80], ['https', 443]]);
    expect(tls.metadata.annotations).toMatchObject({ [`${p}ssl-cert`]: 'arn:aws:acm:eu-west-1:1:certificate/z', [`${p}ssl-ports`]: '443', [`${p}scheme`]: 'internal' });
  });

  test('NodePort (kind) and ClusterIP carry no AWS annotations', () => {
    const node = named(render({ set: [...EMBEDDED, 'idProvider.service.type=NodePort', 'idProvider.service.nodePort=30091'] }), 'Service', 'gambit-id-provider') as Svc;
    expect(node.spec.type).toBe('NodePort');
    expect(node.spec.ports[0]!.nodePort).toBe(30091);
    const cluster = named(render({ set: [...EMBEDDED, 'idProvider.service.type=ClusterIP'] }), 'Service', 'gambit-id-provider') as Svc;
    for (const s of [node, cluster]) expect(Object.keys(s.metadata.annotations ?? {}).filter((k) => k.startsWith(p))).toEqual([]);
  });
});

describe('NetworkPolicies with accounts', () => {
  const labels = (objects: K8sObject[], c: string) => pods([named(objects, 'Deployment', `gambit-${c}`)])[0]!.labels;

  test('accounts from the gateway only; to Redis, the finalizer and the id-provider; the id-provider to Redis', () => {
    const o = embedded;
    const L = (c: string) => labels(o, c);
    const open: [string, string, number][] = [
      ['gateway', 'accounts', 8070], ['accounts', 'redis', 6379], ['accounts', 'finalizer', 8082], ['accounts', 'id-provider', 8090], ['id-provider', 'redis', 6379],
    ];
    for (const [a, b, port] of open) expect({ a, b, port, ok: allowed(o, L(a), L(b), port) }).toEqual({ a, b, port, ok: true });
    const closed: [string, string, number][] = [
      ['game-engine', 'accounts', 8070], ['finalizer', 'accounts', 8070], ['room-reaper', 'accounts', 8070], ['id-provider', 'accounts', 8070],
      ['gateway', 'id-provider', 8090], ['id-provider', 'finalizer', 8082], ['accounts', 'gateway', 8080], ['accounts', 'game-engine', 9101],
    ];
    for (const [a, b, port] of closed) expect({ a, b, port, ok: allowed(o, L(a), L(b), port) }).toEqual({ a, b, port, ok: false });
  });

  test('outside the release: players reach the id-provider on 8090 only; accounts reach DynamoDB, the Pod Identity agent and the issuer, nobody reaches accounts', () => {
    const ipRules = (o: K8sObject[], c: string, dir: 'ingress' | 'egress') =>
      policiesFor(o, labels(o, c)).flatMap((p) => p.spec[dir] ?? []).filter((r) => (r.from ?? r.to ?? []).some((peer) => peer.ipBlock));
    const ports = (o: K8sObject[], c: string, dir: 'ingress' | 'egress') => ipRules(o, c, dir).flatMap((r) => r.ports!.map((x) => x.port)).sort();
    expect(ports(embedded, 'accounts', 'ingress')).toEqual([]);
    expect(ports(embedded, 'id-provider', 'ingress')).toEqual([8090]);
    // DynamoDB 443, the Pod Identity agent 80, the issuer 443 and the id-provider's Service port 80
    expect(ports(embedded, 'accounts', 'egress')).toEqual([443, 443, 80, 80]);
    expect(ports(embedded, 'id-provider', 'egress')).toEqual([]);
    // Cognito on EKS: ElastiCache instead of the bundled Redis, the issuer on 443 only
    expect(ports(cognito, 'accounts', 'egress')).toEqual([443, 443, 6379, 80]);
    const issuer = ipRules(cognito, 'accounts', 'egress').find((r) => r.ports!.length === 1 && r.ports![0]!.port === 443 && r.to!.length === 1);
    expect(issuer?.to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }]);
    const narrowed = render({ files: profileFiles.eks, set: [...COGNITO, 'accounts.oidc.cidrs={52.94.0.0/16}'] });
    expect(ipRules(narrowed, 'accounts', 'egress').some((r) => r.to!.some((t) => t.ipBlock!.cidr === '52.94.0.0/16'))).toBe(true);
  });
});

describe('values that contradict each other fail with a message', () => {
  test.each([
    [['accounts.enabled=true'], 'accounts.publicUrl is required when accounts.enabled is true'],
    [['accounts.enabled=true', `accounts.publicUrl=${SITE}`], 'accounts.enabled needs accounts.oidc.issuer (e.g. the Cognito user pool) or idProvider.enabled'],
    [['accounts.enabled=true', `accounts.publicUrl=${SITE}`, `accounts.oidc.issuer=${COGNITO_ISSUER}`, 'accounts.oidc.clientId=c'], 'accounts.oidc.issuer needs accounts.oidc.clientId and accounts.oidc.existingSecret'],
    [['idProvider.enabled=true', `idProvider.issuer=${IDP}`], 'idProvider.enabled needs accounts.enabled'],
    [[...EMBEDDED.slice(0, 3)], 'idProvider.issuer is required when idProvider.enabled is true'],
    [[...EMBEDDED.slice(0, 3), `idProvider.issuer=${SITE}`], 'idProvider.issuer must differ from accounts.publicUrl'],
    [['auth.guestTokens=false'], 'with auth.guestTokens false, set auth.oidc.issuer or accounts.enabled'],
  ])('%j', (set, message) => {
    const r = helm(['template', 'gambit', chartDir, ...set.flatMap((s) => ['--set', s])]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  test('plain synthesis refuses the same values with the same message', () => {
    const v = mergeValues(defaultValues(), { accounts: { enabled: true } });
    expect(() => validateValues(v)).toThrow('accounts.publicUrl is required when accounts.enabled is true');
  });

  test.each([
    [`accounts.publicUrl=${SITE}/play`], ['accounts.publicUrl=chess.example.com'], [`idProvider.issuer=${IDP}/`], ['accounts.oidc.issuer=ftp://x'],
  ])('the schema refuses %s', (set) => {
    const r = helm(['template', 'gambit', chartDir, '--set', set]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Does not match pattern/);
  });
});

describe('helm template == cdk8s plain synthesis, with accounts', () => {

  test.each([
    ['embedded', [PLAINTEXT_VALUES, { accounts: { enabled: true, publicUrl: SITE }, idProvider: { enabled: true, issuer: IDP } }], () => embedded],
    ['cognito on EKS', [eksProfile.values, { accounts: { enabled: true, publicUrl: SITE, oidc: { issuer: COGNITO_ISSUER, clientId: 'abc123', existingSecret: 'gambit-cognito', endSessionUrl: LOGOUT } } }], () => cognito],
  ] as const)('%s', async (_name, overrides, rendered) => {
    const values = mergeValues(defaultValues(), ...overrides);
    const { chart } = build('literal', await readInputs(), values, { name: 'gambit', namespace: 'gambit', service: 'Helm' });
    expect(comparable(chart.toJson() as K8sObject[])).toEqual(comparable(rendered()));
  });

  test('the plain synthesis generates an id-provider Secret the service can read (EC P-256)', async () => {
    const values = mergeValues(defaultValues(), PLAINTEXT_VALUES, { accounts: { enabled: true, publicUrl: SITE }, idProvider: { enabled: true, issuer: IDP } });
    const objects = build('literal', await readInputs(), values, { name: 'gambit', namespace: 'gambit' }).chart.toJson() as K8sObject[];
    const secret = byKind(objects, 'Secret').find((s) => s.metadata.name === 'gambit-id-provider') as unknown as { data: Record<string, string> };
    const key = createPrivateKey(Buffer.from(secret.data['signing-key']!, 'base64').toString('utf8'));
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });
});
