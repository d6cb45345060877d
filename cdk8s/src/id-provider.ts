// The embedded OpenID Provider (idProvider.enabled), for development and small installs: its
// Deployment, a Secret generated once (client secret, cookie keys, ID token signing key), and a
// Service of its own, because browsers must reach it at an origin of its own (idProvider.issuer).
// The Service is exposed like the gateway's: an NLB by default, NodePort or ClusterIP by choice.
import { generateKeyPairSync } from 'node:crypto';
import { Construct } from 'constructs';
import { present, type Binding } from './binding.js';
import { ID_PROVIDER_KEYS, idProviderSecretName } from './accounts.js';
import { PORTS, UIDS, configChecksum, configMap, meta, randomText, redisEnv } from './parts.js';
import { raw } from './raw.js';
import { disruptionBudget, serviceAccount, workload } from './workload.js';
import type { Values } from './values.js';

export class IdProvider extends Construct {
  constructor(scope: Construct, id: string, b: Binding) {
    super(scope, id);
    const c = 'id-provider';
    const p = (v: Values) => v.idProvider;
    const sa = serviceAccount(this, b, c, (v) => p(v).serviceAccount.annotations);
    b.optional(b.not(b.truthy((v) => p(v).existingSecret)), this, 'generated', (s) => {
      const value = (key: string, literal: string) =>
        b.s(b.computed(`include "gambit.idProviderSecretValue" (list . ${JSON.stringify(key)})`, Buffer.from(literal).toString('base64')));
      raw(s, 'secret', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: meta(b, c),
        type: 'Opaque',
        // Helm: new on install, the same on every upgrade (lookup); plain manifests: new per synth.
        data: {
          [ID_PROVIDER_KEYS.clientSecret]: value(ID_PROVIDER_KEYS.clientSecret, randomText()),
          [ID_PROVIDER_KEYS.cookieKeys]: value(ID_PROVIDER_KEYS.cookieKeys, randomText()),
          [ID_PROVIDER_KEYS.signingKey]: value(ID_PROVIDER_KEYS.signingKey, newSigningKey()),
        },
      });
    });
    const site = b.v((v) => v.accounts.publicUrl);
    const cm = configMap(this, b, c, {
      LOG_LEVEL: b.s((v) => v.logLevel),
      KEY_PREFIX: b.s((v) => v.keyPrefix),
      PORT: String(PORTS.idProvider),
      HOST: '0.0.0.0',
      ISSUER: b.s((v) => p(v).issuer),
      CLIENT_ID: b.s((v) => p(v).clientId),
      // its one client: the accounts service at the site's origin
      REDIRECT_URIS: b.cat(site, '/auth/callback'),
      POST_LOGOUT_REDIRECT_URIS: b.cat(site, '/'),
      TRUST_PROXY: b.s((v) => p(v).trustProxy),
    });
    const secret = (name: string, key: string) => ({ cond: b.always, name, valueFrom: { secretKeyRef: { name: b.s(idProviderSecretName(b)), key } } });
    workload(this, b, {
      component: c,
      settings: p,
      user: UIDS.gambit,
      serviceAccount: sa,
      replicas: b.n((v) => p(v).replicas),
      terminationGracePeriodSeconds: 30,
      podAnnotations: configChecksum(b, c, cm),
      container: {
        name: c,
        ports: [{ name: 'http', number: PORTS.idProvider }],
        configMap: cm,
        conditionalEnv: [
          ...redisEnv(b),
          secret('CLIENT_SECRET', ID_PROVIDER_KEYS.clientSecret),
          secret('COOKIE_KEYS', ID_PROVIDER_KEYS.cookieKeys),
          secret('SIGNING_KEY', ID_PROVIDER_KEYS.signingKey),
        ],
        // /healthz answers 503 while Redis is away: readiness too
        health: { live: { path: '/healthz', port: PORTS.idProvider }, ready: { path: '/healthz', port: PORTS.idProvider }, startupSeconds: 30 },
      },
    });
    publicService(this, b);
    disruptionBudget(this, b, c, (v) => p(v).pdb);
  }
}

/** EC P-256 in SEC1 PEM, the shape Helm's genPrivateKey "ecdsa" writes. */
function newSigningKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
}

/** The id-provider's own Service: LoadBalancer (an NLB on EKS, optional TLS), NodePort or ClusterIP. */
function publicService(scope: Construct, b: Binding): void {
  const c = 'id-provider';
  const svc = (v: Values) => v.idProvider.service;
  const n = (v: Values) => v.idProvider.nlb;
  const lb = b.eq((v) => svc(v).type, 'LoadBalancer');
  const nlb = b.and(lb, b.truthy((v) => n(v).enabled));
  const cert = b.and(nlb, b.truthy((v) => n(v).certificateArn));
  const a = 'service.beta.kubernetes.io/aws-load-balancer-';
  const annotations = b.map<string>([
    [`${a}type`, 'external', nlb],
    [`${a}nlb-target-type`, 'ip', nlb],
    [`${a}scheme`, b.s((v) => n(v).scheme), nlb],
    [`${a}backend-protocol`, 'tcp', nlb],
    [`${a}healthcheck-protocol`, 'http', nlb],
    [`${a}healthcheck-path`, '/healthz', nlb],
    [`${a}healthcheck-port`, 'traffic-port', nlb],
    // client addresses reach the pods: the sign-in limits count failures per address
    [`${a}target-group-attributes`, 'preserve_client_ip.enabled=true', nlb],
    [`${a}ssl-cert`, b.s((v) => n(v).certificateArn), cert],
    [`${a}ssl-ports`, '443', cert],
    [`${a}ssl-negotiation-policy`, b.s((v) => n(v).sslPolicy), cert],
  ]);
  raw(scope, 'service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: b.s(b.name(c)), labels: b.labels(c), ...b.annotations(annotations, (v) => svc(v).annotations) },
    spec: b.map<unknown>([
      ['type', b.s((v) => svc(v).type)],
      ['selector', b.selector(c)],
      ['ports', present([
        b.map<unknown>([
          ['name', 'http'],
          ['port', b.n((v) => svc(v).port)],
          ['targetPort', 'http'],
          ['protocol', 'TCP'],
          ['nodePort', b.n((v) => svc(v).nodePort), b.eq((v) => svc(v).type, 'NodePort')],
        ]),
        b.item(b.and(lb, b.truthy((v) => n(v).certificateArn)), { name: 'https', port: 443, targetPort: 'http', protocol: 'TCP' }),
      ])],
      ['loadBalancerSourceRanges', b.yaml((v) => svc(v).loadBalancerSourceRanges), b.and(lb, b.truthy((v) => svc(v).loadBalancerSourceRanges))],
    ]),
  });
}
