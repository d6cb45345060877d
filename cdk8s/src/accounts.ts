// Player accounts in the cluster (accounts.enabled): the accounts service (OIDC relying party,
// sessions in Redis, accounts in DynamoDB) behind the gateway, and its NetworkPolicies. Which
// provider it signs players in at is decided here once (accounts.oidc, or the embedded
// id-provider when that is on: id-provider.ts), as Helm helpers with TypeScript twins.
import { Construct } from 'constructs';
import type { ApiObject } from 'cdk8s';
import { present, type Binding, type Cond, type Expr } from './binding.js';
import {
  PORTS, UIDS, clusterService, configChecksum, configMap, dynamoEndpoint, redisEnv, tokenSecretName,
} from './parts.js';
import { disruptionBudget, serviceAccount, workload } from './workload.js';
import type { Values } from './values.js';

export const accountsOn = (b: Binding): Cond => b.truthy((v) => v.accounts.enabled);
export const idProviderOn = (b: Binding): Cond => b.truthy((v) => v.idProvider.enabled);
/** Socket tokens are signed in the release (guest tokens by the gateway, user tokens by accounts): the token Secret is needed. */
export const tokensSigned = (b: Binding): Cond => b.or(b.truthy((v) => v.auth.guestTokens), accountsOn(b));

// --- the provider accounts signs in at: accounts.oidc, else the embedded id-provider -------------

export function oidcIssuer(b: Binding): Expr<string> {
  const v = b.values;
  return b.computed('include "gambit.accountsIssuer" .', v.accounts.oidc.issuer || (v.idProvider.enabled ? v.idProvider.issuer : ''));
}
export function oidcClientId(b: Binding): Expr<string> {
  const v = b.values;
  return b.computed('include "gambit.accountsClientId" .', v.accounts.oidc.clientId || (v.idProvider.enabled ? v.idProvider.clientId : ''));
}
/** The id-provider's Secret: the operator's or the generated <fullname>-id-provider. */
export function idProviderSecretName(b: Binding): Expr<string> {
  return b.computed('include "gambit.idProviderSecretName" .', b.values.idProvider.existingSecret || b.name('id-provider').literal);
}
/** The key of the client secret in the id-provider's Secret (generated or brought). */
export const ID_PROVIDER_KEYS = { clientSecret: 'client-secret', cookieKeys: 'cookie-keys', signingKey: 'signing-key' } as const;
function clientSecretRef(b: Binding) {
  const v = b.values;
  const own = v.accounts.oidc.existingSecret !== '';
  return {
    name: b.s(b.computed('include "gambit.accountsClientSecretName" .', own ? v.accounts.oidc.existingSecret : idProviderSecretName(b).literal)),
    key: b.s(b.computed('include "gambit.accountsClientSecretKey" .', own ? v.accounts.oidc.clientSecretKey : ID_PROVIDER_KEYS.clientSecret)),
  };
}

/** The Helm twins of the functions above (appended to templates/_helpers.tpl by helm.ts). */
export const ACCOUNTS_HELPERS = `
{{/* The OpenID Provider of the accounts service: accounts.oidc, else the embedded id-provider. */}}
{{- define "gambit.accountsIssuer" -}}
{{- .Values.accounts.oidc.issuer | default (ternary .Values.idProvider.issuer "" .Values.idProvider.enabled) -}}
{{- end -}}

{{- define "gambit.accountsClientId" -}}
{{- .Values.accounts.oidc.clientId | default (ternary .Values.idProvider.clientId "" .Values.idProvider.enabled) -}}
{{- end -}}

{{- define "gambit.accountsClientSecretName" -}}
{{- .Values.accounts.oidc.existingSecret | default (include "gambit.idProviderSecretName" .) -}}
{{- end -}}

{{- define "gambit.accountsClientSecretKey" -}}
{{- ternary .Values.accounts.oidc.clientSecretKey "${ID_PROVIDER_KEYS.clientSecret}" (ne .Values.accounts.oidc.existingSecret "") -}}
{{- end -}}

{{- define "gambit.idProviderSecretName" -}}
{{- .Values.idProvider.existingSecret | default (include "gambit.component" (list . "id-provider")) -}}
{{- end -}}

{{/* (list . KEY) -> a value of the generated id-provider Secret, base64: new on install, read back on
     upgrade (sessions, cookies and signed tokens stay valid). The signing key is EC P-256 (SEC1 PEM). */}}
{{- define "gambit.idProviderSecretValue" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $existing := lookup "v1" "Secret" $root.Release.Namespace (include "gambit.component" (list $root "id-provider")) -}}
{{- if and $existing $existing.data (hasKey $existing.data $key) -}}
{{- index $existing.data $key -}}
{{- else if eq $key "${ID_PROVIDER_KEYS.signingKey}" -}}
{{- genPrivateKey "ecdsa" | b64enc -}}
{{- else -}}
{{- randAlphaNum 48 | b64enc -}}
{{- end -}}
{{- end -}}
`;

// --- the accounts service -----------------------------------------------------------------------------

export class Accounts extends Construct {
  constructor(scope: Construct, id: string, b: Binding) {
    super(scope, id);
    const c = 'accounts';
    const a = (v: Values) => v.accounts;
    const v0 = b.values;
    const sa = serviceAccount(this, b, c, (v) => a(v).serviceAccount.annotations);
    const issuer = oidcIssuer(b);
    const cm = configMap(this, b, c, {
      LOG_LEVEL: b.s((v) => v.logLevel),
      KEY_PREFIX: b.s((v) => v.keyPrefix),
      ROOM_SHARDS: b.envInt((v) => v.roomShards),
      PORT: String(PORTS.accounts),
      HOST: '0.0.0.0',
      PUBLIC_URL: b.s((v) => a(v).publicUrl),
      PAGE_ORIGINS: b.s(b.computed('join "," .Values.accounts.pageOrigins', v0.accounts.pageOrigins.join(','))),
      SESSION_SAMESITE: b.s((v) => a(v).sessionCookieSameSite),
      OIDC_ISSUER: b.s(issuer),
      OIDC_CLIENT_ID: b.s(oidcClientId(b)),
      OIDC_SCOPES: b.s((v) => a(v).oidc.scopes),
      OIDC_END_SESSION_URL: b.s((v) => a(v).oidc.endSessionUrl),
      OIDC_PROMPT_CREATE: b.s((v) => a(v).oidc.promptCreate),
      // a provider at http:// (the embedded one without TLS, e.g. on kind)
      OIDC_ALLOW_HTTP: b.s(b.computed(`hasPrefix "http://" (${issuer.helm})`, issuer.literal.startsWith('http://'))),
      SOCKET_TOKEN_TTL_SECONDS: b.envInt((v) => a(v).socketTokenTtlSeconds),
      SESSION_TTL_DAYS: b.envInt((v) => a(v).sessionTtlDays),
      USERNAME_HOLD_DAYS: b.envInt((v) => a(v).usernameHoldDays),
      // guests get a browser session exactly when the gateway takes guests at all
      GUEST_SESSIONS: b.s((v) => v.auth.guestTokens),
      FINALIZER_URL: b.cat('http://', b.name('finalizer'), `:${PORTS.finalizer}`),
      AWS_REGION: b.s((v) => v.dynamodb.region),
      USERS_TABLE: b.s((v) => v.dynamodb.usersTable),
      USERNAMES_TABLE: b.s((v) => v.dynamodb.usernamesTable),
      FRIENDS_TABLE: b.s((v) => v.dynamodb.friendsTable),
      DYNAMODB_ENDPOINT: b.s(dynamoEndpoint(b)),
      CREATE_TABLES: b.s(b.computed('or .Values.dynamodb.createTables .Values.dynamodb.local.enabled', v0.dynamodb.createTables || v0.dynamodb.local.enabled)),
    });
    workload(this, b, {
      component: c,
      settings: a,
      user: UIDS.gambit,
      serviceAccount: sa,
      replicas: b.n((v) => a(v).replicas),
      terminationGracePeriodSeconds: 30,
      podAnnotations: configChecksum(b, c, cm),
      container: {
        name: c,
        ports: [{ name: 'http', number: PORTS.accounts }],
        configMap: cm,
        conditionalEnv: [
          ...redisEnv(b),
          // the gateway's key: the gateway accepts the socket tokens signed here
          { cond: b.always, name: 'TOKEN_SIGNING_KEY', valueFrom: { secretKeyRef: { name: b.s(tokenSecretName(b)), key: b.s((v) => v.auth.signingKeyKey) } } },
          { cond: b.always, name: 'OIDC_CLIENT_SECRET', valueFrom: { secretKeyRef: clientSecretRef(b) } },
        ],
        // readiness includes DynamoDB and Redis; discovery at the issuer happens before it listens
        health: { live: { path: '/healthz', port: PORTS.accounts }, ready: { path: '/readyz', port: PORTS.accounts }, startupSeconds: 60 },
      },
    });
    clusterService(this, b, c, [{ name: 'http', port: PORTS.accounts }]);
    disruptionBudget(this, b, c, (v) => a(v).pdb);
  }
}

// --- NetworkPolicies ----------------------------------------------------------------------------------

/** What chart.ts's NetworkPolicies construct shares with the accounts policies. */
export interface PolicyKit {
  policy: (scope: Construct, name: string, component: string | undefined, spec: Record<string, unknown>) => ApiObject;
  pods: (component: string) => unknown;
  tcp: (port: number | string) => { protocol: string; port: number | string };
  ipBlocks: (get: (v: Values) => string[]) => unknown[];
  dns: unknown;
  prometheus: unknown;
  redisEgress: () => unknown[];
  dynamoEgress: () => unknown[];
}

/**
 * accounts: from the gateway (and Prometheus) only; to DNS, Redis, DynamoDB, the finalizer's read
 * API and the issuer (443; with the id-provider its Service port and its pods). id-provider: from
 * players (idProvider.ingressCidrs) and the accounts pods; to DNS and Redis.
 */
export function accountsNetworkPolicies(scope: Construct, b: Binding, k: PolicyKit): void {
  const idp = idProviderOn(b);
  b.optional(accountsOn(b), scope, 'accounts', (s) => {
    k.policy(s, 'accounts', 'accounts', {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [k.pods('gateway'), k.prometheus], ports: [k.tcp(PORTS.accounts)] }],
      egress: present([
        k.dns,
        ...k.redisEgress(),
        ...k.dynamoEgress(),
        { to: [k.pods('finalizer')], ports: [k.tcp(PORTS.finalizer)] },
        // discovery, token and JWKS endpoints at the issuer's public address
        {
          to: k.ipBlocks((v) => v.accounts.oidc.cidrs),
          ports: present([
            k.tcp(443),
            b.item(idp, k.tcp(b.n((v) => v.idProvider.service.port))),
            b.item(b.and(idp, b.eq((v) => v.idProvider.service.type, 'NodePort')), k.tcp(b.n((v) => v.idProvider.service.nodePort))),
          ]),
        },
        // the same, when the cluster routes the Service's address straight to the pods
        b.item(idp, { to: [k.pods('id-provider')], ports: [k.tcp(PORTS.idProvider)] }),
      ]),
    });
  });
  b.optional(idp, scope, 'id-provider', (s) => {
    k.policy(s, 'id-provider', 'id-provider', {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: k.ipBlocks((v) => v.idProvider.ingressCidrs), ports: [k.tcp(PORTS.idProvider)] },
        { from: [k.pods('accounts')], ports: [k.tcp(PORTS.idProvider)] },
      ],
      egress: [k.dns, ...k.redisEgress()],
    });
  });
}
