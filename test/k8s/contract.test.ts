// The chart against the services it deploys: the environment each rendered pod would get (with
// the values of the Secrets the chart generates) is parsed by that service's own configuration
// schema (nothing unknown, nothing invalid), and the helm test script plays ping against a real
// gateway configured from the chart's ConfigMap.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import type { z } from 'zod';
import { loadConfig } from '@gambit/common';
import { gatewayConfigSchema } from '../../services/gateway/src/config.js';
import { engineConfigSchema } from '../../services/game-engine/src/config.js';
import { finalizerSchema } from '../../services/finalizer/src/config.js';
import { controllerConfigSchema } from '../../controllers/room-reaper/src/config.js';
import { accountsSchema } from '../../services/accounts/src/config.js';
import { idProviderConfigSchema, loadIdProviderConfig } from '../../services/id-provider/src/config.js';
import { startGateway, type RunningGateway } from '../../services/gateway/src/app.js';
import { startRedis, type RedisHandle } from '../support/redis.js';
import { named, pods, profileFiles, render, root, type K8sObject, type RenderOptions } from './support.js';

const schemas: Record<string, z.ZodObject> = {
  gateway: gatewayConfigSchema as unknown as z.ZodObject,
  'game-engine': engineConfigSchema as unknown as z.ZodObject,
  finalizer: finalizerSchema as unknown as z.ZodObject,
  'room-reaper': controllerConfigSchema as unknown as z.ZodObject,
  accounts: accountsSchema as unknown as z.ZodObject,
  'id-provider': idProviderConfigSchema as unknown as z.ZodObject,
};

const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** What the kubelet would put in the container's environment: Secrets the chart generates with
 *  their values, the operator's Secrets with stand-ins, fields filled in. */
function environment(objects: K8sObject[], deployment: string): Record<string, string> {
  const pod = pods([named(objects, 'Deployment', deployment)])[0]!;
  const c = pod.spec.containers[0]!;
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, (named(objects, 'ConfigMap', from.configMapRef.name) as unknown as { data: Record<string, string> }).data);
  }
  for (const e of c.env ?? []) {
    const vf = e.valueFrom as { secretKeyRef?: { key: string; optional?: boolean }; fieldRef?: { fieldPath: string } } | undefined;
    if (vf?.fieldRef) env[e.name] = vf.fieldRef.fieldPath === 'metadata.name' ? `${deployment}-7d9f8-abcde` : 'gambit';
    else if (vf?.secretKeyRef) {
      const ref = vf.secretKeyRef as { name: string; key: string; optional?: boolean };
      const generated = objects.find((o) => o.kind === 'Secret' && o.metadata.name === ref.name) as unknown as { data: Record<string, string> } | undefined;
      if (generated?.data[ref.key] !== undefined) env[e.name] = Buffer.from(generated.data[ref.key]!, 'base64').toString('utf8');
      else if (ref.optional) continue; // an optional key the operator has not set
      else env[e.name] = e.name === 'TOKEN_SIGNING_KEY' ? pem : 's3cret-password-of-the-operator-0123456789';
    } else env[e.name] = (e.value ?? '').replace(/\$\(([A-Z_]+)\)/g, (_, n: string) => env[n] ?? '');
  }
  return env;
}

const cases: [string, RenderOptions][] = [
  ['default', { files: profileFiles.default }],
  ['kind', { files: profileFiles.kind }],
  ['eks', { files: profileFiles.eks }],
  ['oidc and auth', { files: profileFiles.eks, set: ['auth.oidc.issuer=https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC', 'auth.oidc.audience=c1', 'auth.oidc.tokenUse=access', 'auth.allowedOrigins={https://a.example}'], setString: ['roomReaper.env.REAP_EVERY_MS=500'] }],
  ['oidc only', { set: ['auth.guestTokens=false', 'auth.oidc.issuer=https://idp.example.com', 'auth.oidc.audience=c1', 'redis.auth.existingSecret=r'] }],
  ['accounts, embedded provider', { set: ['accounts.enabled=true', 'accounts.publicUrl=https://chess.example.com', 'idProvider.enabled=true', 'idProvider.issuer=https://id.chess.example.com'] }],
  ['accounts on kind, guests off', { files: profileFiles.kind, set: ['auth.guestTokens=false', 'accounts.enabled=true', 'accounts.publicUrl=http://localhost:8080', 'idProvider.enabled=true', 'idProvider.issuer=http://172.18.0.2:30090', 'idProvider.service.type=NodePort'] }],
  ['video calls: coturn with its generated secret', { set: ['turn.enabled=true', 'turn.urls[0]=turn:turn.example.com:3478?transport=udp', 'turn.urls[1]=turns:turn.example.com:5349?transport=tcp', 'turn.stunUrls[0]=stun:turn.example.com:3478', 'turn.tls.existingSecret=turn-tls', 'turn.ttlSeconds=7200'] }],
  ['video calls on EKS: the operator\'s secret', { files: profileFiles.eks, set: ['turn.enabled=true', 'turn.urls[0]=turn:turn.example.com:3478?transport=udp', 'turn.existingSecret=turn-secret'] }],
  ['accounts with Cognito', { files: profileFiles.eks, set: ['accounts.enabled=true', 'accounts.publicUrl=https://chess.example.com', 'accounts.oidc.issuer=https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC', 'accounts.oidc.clientId=abc', 'accounts.oidc.existingSecret=cognito', 'accounts.oidc.endSessionUrl=https://gambit.auth.eu-west-1.amazoncognito.com/logout'] }],
];

describe('each pod\'s environment passes its service\'s configuration schema', () => {
  test.each(cases)('%s', (_name, opts) => {
    const objects = render(opts);
    const deployed = Object.entries(schemas).filter(([component]) => objects.some((o) => o.kind === 'Deployment' && o.metadata.name === `gambit-${component}`));
    const accounts = (opts.set ?? []).includes('accounts.enabled=true');
    expect(deployed.some(([c]) => c === 'accounts')).toBe(accounts);
    for (const [component, schema] of deployed) {
      const env = environment(objects, `gambit-${component}`);
      const known = new Set(Object.keys(schema.shape));
      // REDIS_PASSWORD only feeds $(REDIS_PASSWORD) in REDIS_URL
      const unknown = Object.keys(env).filter((k) => !known.has(k) && k !== 'REDIS_PASSWORD');
      expect({ component, unknown }).toEqual({ component, unknown: [] });
      expect(() => loadConfig(schema, env)).not.toThrow();
    }
  });

  test('the id-provider reads the signing key, client secret and cookie keys the chart generates', () => {
    const objects = render({ set: ['accounts.enabled=true', 'accounts.publicUrl=https://chess.example.com', 'idProvider.enabled=true', 'idProvider.issuer=https://id.chess.example.com'] });
    const env = environment(objects, 'gambit-id-provider');
    expect(env.SIGNING_KEY).toContain('PRIVATE KEY-----');
    const c = loadIdProviderConfig(env);
    expect(c.CLIENT_SECRET).toBe(environment(objects, 'gambit-accounts').OIDC_CLIENT_SECRET);
    expect(c.REDIRECT_URIS).toEqual(['https://chess.example.com/auth/callback']);
  });

  test('the gateways sign TURN credentials with the secret coturn reads, and hand out the URLs of the values', () => {
    const objects = render({ set: ['turn.enabled=true', 'turn.urls[0]=turn:turn.example.com:3478?transport=udp', 'turn.stunUrls[0]=stun:turn.example.com:3478'] });
    const gateway = loadConfig(gatewayConfigSchema, environment(objects, 'gambit-gateway'));
    const coturn = environment(objects, 'gambit-turn');
    expect(gateway.TURN_SECRET).toBe(coturn.TURN_SECRET);
    expect(gateway.TURN_SECRET!.length).toBeGreaterThanOrEqual(16);
    expect(gateway.TURN_URLS).toEqual(['turn:turn.example.com:3478?transport=udp']);
    expect(gateway.STUN_URLS).toEqual(['stun:turn.example.com:3478']);
    expect(gateway.TURN_TTL_SECONDS).toBe(21_600);
  });

  test('a bad setting would be caught (the check can fail)', () => {
    const objects = render({ set: ['gateway.joinRatePerMin=5'] });
    const env = { ...environment(objects, 'gambit-gateway'), JOIN_RATE_PER_MIN: 'lots' };
    expect(() => loadConfig(gatewayConfigSchema, env)).toThrow(/JOIN_RATE_PER_MIN/);
  });
});

describe('helm test script against a real gateway', () => {
  let redis: RedisHandle;
  let gateway: RunningGateway;
  beforeAll(async () => {
    redis = await startRedis();
    const env = environment(render({ files: profileFiles.kind }), 'gambit-gateway');
    gateway = await startGateway(loadConfig(gatewayConfigSchema, {
      ...env, REDIS_URL: redis.url, PORT: '0', HOST: '127.0.0.1', WEB_ROOT: '', LOG_LEVEL: 'silent', KEY_PREFIX: 'helmtest',
    }));
  });
  afterAll(async () => {
    await gateway?.close();
    await redis?.stop();
  });

  // asynchronous: the gateway answering it runs in this process
  const ping = (url: string) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(root, 'cdk8s/assets/helm-test-ping.mjs')], { env: { ...process.env, GATEWAY_URL: url } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

  test('guest token, hello, ping, pong: exit 0', async () => {
    const r = await ping(`http://127.0.0.1:${gateway.port}`);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, player: 'helm-test' });
    expect(r.status).toBe(0);
  });

  test('no gateway: exit 1 with the reason', async () => {
    const r = await ping('http://127.0.0.1:1');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ ok: false });
  });
});
