// Every setting of the chart, declared once: values.yaml (with these descriptions as comments),
// values.schema.json and the TypeScript type the constructs read all come from here.
import {
  bool, cidrList, defaults, freeObject, int, obj, oneOf, raw, resourcesSchema, str, stringMap, tolerationsSchema,
  type Infer, type Resources, type Toleration,
} from './schema-dsl.js';
import { alertmanagerValues } from './alerting-values.js';

const tag = { pattern: '^$|^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$', not: { enum: ['latest'] } };
const digest = { pattern: '^$|^sha256:[a-f0-9]{64}$' };
/** An origin: scheme, host name and optional port; no path (it is printed inside quoted YAML). */
const origin = { pattern: '^$|^https?://[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?$' };
const dnsName = { pattern: '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 40 };

const image = (repository: string, what: string, registry = '', imageTag = '') =>
  obj(`Image of the ${what}.`, {
    registry: str(registry ? 'Registry (host and optional path).' : 'Registry (host and optional path); empty: image.registry.', registry),
    repository: str('Repository under the registry.', repository, { minLength: 1 }),
    tag: str(imageTag ? 'Tag ("latest" is refused).' : 'Tag; empty: image.tag, then the chart appVersion ("latest" is refused).', imageTag, tag),
    digest: str('Optional sha256:... digest; when set the image is pulled by digest.', '', digest),
    pullPolicy: oneOf('Pull policy; empty: image.pullPolicy.', ['', 'Always', 'IfNotPresent', 'Never'], ''),
  });

const resources = (what: string, cpu: string, memory: string, memoryLimit: string) =>
  raw<Resources>(`CPU and memory of each ${what} container (requests, and a memory limit; a CPU limit is optional).`,
    { requests: { cpu, memory }, limits: { memory: memoryLimit } }, resourcesSchema);

const scheduling = (what: string) => ({
  nodeSelector: raw<Record<string, string>>(`Node labels the ${what} pods must run on.`, {}, stringMap),
  tolerations: raw<Toleration[]>(`Taints the ${what} pods tolerate.`, [], tolerationsSchema),
  affinity: raw<Record<string, unknown>>(`Affinity of the ${what} pods (the topology spread below is added either way).`, {}, freeObject),
  podAnnotations: raw<Record<string, string>>(`Extra annotations on the ${what} pods.`, {}, stringMap),
});
const serviceAccount = (what: string, extra = '') =>
  obj(`The ${what}'s ServiceAccount.`, {
    annotations: raw<Record<string, string>>(`Annotations of the ServiceAccount${extra}.`, {}, stringMap),
  });
const pdb = (what: string) =>
  obj(`PodDisruptionBudget of the ${what}.`, {
    enabled: bool('Create it.', true),
    maxUnavailable: int('Pods that a voluntary disruption (node drain, upgrade) may take down at once.', 1, 1),
  });

export const valuesSpec = obj('Gambit: real-time chess on Kubernetes.', {
  nameOverride: str('Replaces the chart name in object names.', '', dnsName),
  fullnameOverride: str('Replaces the release-chart prefix of every object name.', '', dnsName),
  commonLabels: raw<Record<string, string>>('Labels added to every object.', {}, stringMap),
  commonAnnotations: raw<Record<string, string>>('Annotations added to every object.', {}, stringMap),
  global: raw<Record<string, unknown>>('Reserved for parent charts; unused.', {}, freeObject),

  image: obj('Defaults for every Gambit image (each component can override them).', {
    registry: str('Registry of the Gambit images: localhost for images built with `make images`, your ECR on EKS.', 'localhost'),
    tag: str('Tag of the Gambit images; empty: the chart appVersion ("latest" is refused).', '', tag),
    pullPolicy: oneOf('Pull policy of the Gambit images.', ['Always', 'IfNotPresent', 'Never'], 'IfNotPresent'),
  }),
  imagePullSecrets: raw<{ name: string }[]>('Secrets for pulling the images, as [{name: ...}].', [], {
    type: 'array', items: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
  }),

  logLevel: oneOf('Log level of every service (JSON lines on stdout).', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  keyPrefix: str('Prefix of every Redis key and stream, so several releases can share one Redis.', 'gambit', { pattern: '^[a-z0-9:_-]{1,32}$' }),
  roomShards: int('Room shards (docs/redis-cluster.md): each shard\'s rooms, streams and deadline sets share one Redis Cluster slot, and the engines split them between them (each shard read by one engine, which keeps its rooms in memory; with 1, every engine reads it without that): set at least 4 x the most engines you will run (engine maxReplicas). Fixed for the life of an install (a room\'s shard is a function of its code): 1 keeps the key names of earlier releases.', 1, 1, 1024),
  tracing: obj('OpenTelemetry traces of gateway, engine and finalizer, sent over OTLP/HTTP to a collector (docs/operations.md, Traces). Off while otlpEndpoint is empty.', {
    otlpEndpoint: str('Base URL of an OpenTelemetry Collector\'s OTLP/HTTP receiver, e.g. http://otel-collector.observability:4318 (spans go to <it>/v1/traces); empty: no tracing.', '', { pattern: '^$|^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$' }),
    sampler: oneOf('Which traces are kept (OTEL_TRACES_SAMPLER): parentbased_* follow the caller\'s decision, so a trace is whole or absent.', ['parentbased_traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'traceidratio', 'always_on', 'always_off'], 'parentbased_traceidratio'),
    samplerArg: str('Share of new traces kept by the traceidratio samplers, from 0 to 1 (OTEL_TRACES_SAMPLER_ARG), e.g. "0.05".', '1', { pattern: '^(0(\\.[0-9]+)?|1(\\.0+)?)$' }),
    collector: obj('Where the collector runs, for the egress NetworkPolicy of the tracing pods (with networkPolicy.enabled).', {
      namespaceSelector: raw<Record<string, string>>('Labels of its namespace.', { 'kubernetes.io/metadata.name': 'observability' }, stringMap),
      podSelector: raw<Record<string, string>>('Labels of its pods; empty: any pod of that namespace.', {}, stringMap),
      port: int('Its OTLP/HTTP port.', 4318, 1, 65535),
    }),
  }),

  topologySpread: obj('Spread of every workload\'s pods across zones and nodes.', {
    enabled: bool('Add the topology spread constraints.', true),
    maxSkew: int('Largest allowed difference in pod count between two zones (or two nodes).', 1, 1),
    whenUnsatisfiable: oneOf('ScheduleAnyway prefers the spread; DoNotSchedule enforces it (pods stay pending).', ['ScheduleAnyway', 'DoNotSchedule'], 'ScheduleAnyway'),
  }),

  auth: obj('Who may play: guest tokens signed by the gateways and/or OIDC sign-in (docs/protocol.md, docs/configuration.md).', {
    guestTokens: bool('POST /api/guest issues guest tokens; false: OIDC sign-in only.', true),
    existingSecret: str('Secret holding the guest-token signing key (PKCS8 PEM, EC P-256 or Ed25519); empty: the chart creates one with a new Ed25519 key and keeps it across upgrades.', '', { pattern: '^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
    signingKeyKey: str('Key of the signing key in that Secret.', 'signing-key', { pattern: '^[-._a-zA-Z0-9]+$' }),
    verifyKeysKey: str('Key (optional in the Secret) of older public keys still accepted: rotate by moving the old public half here and putting a new signing key in.', 'verify-keys', { pattern: '^[-._a-zA-Z0-9]+$' }),
    tokenTtlSeconds: int('Lifetime of a guest token.', 2_592_000, 60),
    oidc: obj('OIDC sign-in (e.g. Amazon Cognito); off while issuer is empty.', {
      issuer: str('Issuer URL, e.g. https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC.', '', { pattern: '^$|^https://' }),
      audience: str('App client id (aud of ID tokens, client_id of Cognito access tokens).', ''),
      jwksUrl: str('Where the provider\'s keys are; empty: ISSUER/.well-known/jwks.json.', '', { pattern: '^$|^https://' }),
      jwksCooldownMs: int('Least time between JWKS refetches.', 30_000, 0),
      tokenUse: oneOf('Cognito token_use to accept; empty: not checked.', ['', 'id', 'access'], ''),
      cidrs: raw<string[]>('Where the JWKS endpoint is (egress 443 NetworkPolicy of the gateways).', ['0.0.0.0/0'], cidrList),
    }),
    allowedOrigins: raw<string[]>('Browser origins allowed to open /ws (e.g. https://chess.example.com); empty: any.', [], {
      type: 'array', items: { type: 'string', pattern: '^https?://[^/,\\s]+$' },
    }),
  }),

  redis: obj('Redis 7: the bundled development Redis (one server) or your own: one primary (ElastiCache "cluster mode disabled") or a Redis Cluster (redis.external.cluster).', {
    bundled: obj('A single Redis pod in the release, for development and kind (AOF on, no replica, no failover).', {
      enabled: bool('Run it; when false, set redis.external.host.', true),
      image: image('library/redis', 'bundled Redis', 'docker.io', '7.4.2'),
      resources: resources('Redis', '100m', '128Mi', '512Mi'),
      maxmemory: str('Redis maxmemory; the policy is noeviction (streams must never be evicted).', '384mb', { pattern: '^[0-9]+(kb|mb|gb)$' }),
      persistence: obj('Keep the AOF on a PersistentVolume (otherwise an emptyDir: survives container restarts, not rescheduling).', {
        enabled: bool('Use a PersistentVolumeClaim.', false),
        size: str('Size of the volume.', '1Gi', { pattern: '^[0-9]+(Mi|Gi|Ti)$' }),
        storageClass: str('StorageClass; empty: the cluster default.', ''),
      }),
      ...scheduling('bundled Redis'),
    }),
    external: obj('Your Redis, used when redis.bundled.enabled is false.', {
      host: str('Primary endpoint host name (ElastiCache: the primary endpoint; with cluster: the configuration endpoint).', ''),
      replicaReads: bool('With cluster: the gateways read their event streams from replicas (REDIS_EVENTS_FROM_REPLICAS); with engine.commitDurability=replicated a player then sees only moves a replica has (what readerHost does for one primary).', false),
      cluster: bool('A Redis Cluster (ElastiCache with cluster mode enabled): every service runs with REDIS_MODE=cluster (docs/redis-cluster.md). Set roomShards to at least the primaries you may grow to (16). Not with readerHost, nor idProvider (single Redis only).', false),
      readerHost: str('Reader endpoint host name (ElastiCache: the reader endpoint), where the gateways read their own event streams; with engine.commitDurability=replicated a player then sees only moves a replica has. Empty: the primary.', ''),
      port: int('Port.', 6379, 1, 65535),
      tls: bool('Connect with TLS (rediss://); ElastiCache with in-transit encryption needs it.', false),
      cidrs: raw<string[]>('Where Redis may be (egress NetworkPolicy): the VPC or the cache subnets.', ['0.0.0.0/0'], cidrList),
    }),
    auth: obj('Redis AUTH (ElastiCache auth token).', {
      existingSecret: str('Secret holding the password; empty: no password.', ''),
      passwordKey: str('Key of the password in that Secret (URL-safe characters, or percent-encoded).', 'password', { minLength: 1 }),
    }),
  }),

  dynamodb: obj('Where finished games are stored.', {
    region: str('AWS region of the tables.', 'us-east-1', { pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$' }),
    gamesTable: str('Games table.', 'gambit-games', { pattern: '^[A-Za-z0-9_.-]{3,255}$' }),
    playersTable: str('Players table.', 'gambit-players', { pattern: '^[A-Za-z0-9_.-]{3,255}$' }),
    usersTable: str('Accounts table (accounts.enabled): one item per account, by playerId.', 'gambit-users', { pattern: '^[A-Za-z0-9_.-]{3,255}$' }),
    usernamesTable: str('Usernames table (accounts.enabled): who holds each username, by nameKey.', 'gambit-usernames', { pattern: '^[A-Za-z0-9_.-]{3,255}$' }),
    friendsTable: str('Friends table (accounts.enabled): friends, requests and blocks, both ways, by playerId and otherId.', 'gambit-friends', { pattern: '^[A-Za-z0-9_.-]{3,255}$' }),
    endpoint: str('A DynamoDB-compatible endpoint (http://...); empty: AWS (or the local one below).', '', { pattern: '^$|^https?://' }),
    createTables: bool('Create missing tables at start (development; production tables come from infrastructure).', false),
    cidrs: raw<string[]>('Where the DynamoDB and STS endpoints are (egress 443 NetworkPolicy).', ['0.0.0.0/0'], cidrList),
    local: obj('DynamoDB Local in the release (kind, development): in memory, gone on restart.', {
      enabled: bool('Run it and point the finalizer at it.', false),
      image: image('amazon/dynamodb-local', 'DynamoDB Local', 'docker.io', '2.6.1'),
      resources: resources('DynamoDB Local', '100m', '256Mi', '768Mi'),
      ...scheduling('DynamoDB Local'),
    }),
  }),

  gateway: obj('The WebSocket gateway (port 8080: /ws, /healthz, /readyz, /metrics, the client files).', {
    image: image('gambit/gateway', 'gateway'),
    replicas: int('Pods, when the room-reaper\'s ConnectionScaler does not manage them (roomReaper.scaler).', 2, 1),
    resources: resources('gateway', '250m', '256Mi', '512Mi'),
    drainMs: int('On SIGTERM sockets are closed over this window (DRAIN_MS); the grace period and NLB deregistration delay follow from it.', 10_000, 0, 600_000),
    preStopSleepSeconds: int('Wait before SIGTERM so the NLB stops sending new connections first.', 10, 0, 120),
    helloTimeoutMs: int('Close a socket that sent no hello within this time.', 5_000, 100),
    heartbeatMs: int('WebSocket ping interval.', 15_000, 100),
    ratePerSec: int('Frames per second per socket (token bucket).', 20, 1),
    rateBurst: int('Burst of the token bucket.', 40, 1),
    rateStrikes: int('Refused frames in a row before the socket is closed (4429).', 20, 1),
    maxConnectionsPerIp: int('Open sockets per client address (the NLB keeps client addresses).', 100, 1),
    trustCloudFrontViewerAddress: bool('Take the client address (per-address limits, logs) from CloudFront-Viewer-Address: only when the page and socket come through CloudFront (infra/aws/site.yaml) and the load balancer accepts CloudFront alone; otherwise anyone could claim any address.', false),
    joinRatePerMin: int('join/watch frames per client address per minute (room-code scanning).', 60, 1),
    wsCompression: bool('Per-message deflate (CPU and memory per socket).', false),
    presencePollMs: int('How often a gateway looks at the presence of the friends of its sockets on the Friends page (PRESENCE_POLL_MS).', 2_000, 100),
    chatWordFilter: raw<string[]>('Words masked in chat lines (whole words, any case; CHAT_WORD_FILTER); empty: none.', [], { type: 'array', items: { type: 'string', pattern: '^[^,]+$' } }),
    ingressCidrs: raw<string[]>('Who may reach port 8080 (ingress NetworkPolicy). The NLB keeps client addresses, so this is the players (0.0.0.0/0 unless the game is private) plus the VPC, where the NLB health checks come from.', ['0.0.0.0/0'], cidrList),
    service: obj('The gateway Service.', {
      type: oneOf('LoadBalancer (NLB on EKS), NodePort (kind) or ClusterIP (port-forward).', ['LoadBalancer', 'NodePort', 'ClusterIP'], 'LoadBalancer'),
      port: int('Plain TCP port (ws://, http://): there unless TLS is on and gateway.tls.allowPlaintext is false.', 80, 1, 65535),
      nodePort: int('Node port when type is NodePort (kind maps it to the host, see infra/kind).', 30080, 30000, 32767),
      annotations: raw<Record<string, string>>('Extra annotations of the Service.', {}, stringMap),
      loadBalancerSourceRanges: raw<string[]>('Client CIDRs allowed through the load balancer; empty: everyone.', [], { type: 'array', items: { type: 'string' } }),
    }),
    tls: obj('TLS for players (https://, wss://). A public Service (LoadBalancer, unless an internal NLB; NodePort) needs TLS at the NLB (gateway.nlb.certificateArn) or this explicit opt-out; for TLS at an ingress of your own (cert-manager) use type ClusterIP (docs/helm.md).', {
      allowPlaintext: bool('Serve plain ws:// and http:// on a public Service (kind, a laptop); NOTES warns. With a certificate it keeps the plain port next to 443.', false),
    }),
    nlb: obj('AWS Network Load Balancer settings (AWS Load Balancer Controller v2.12+ annotations; ignored off AWS).', {
      enabled: bool('Annotate the Service for the AWS Load Balancer Controller (NLB, IP targets).', true),
      scheme: oneOf('internet-facing or internal.', ['internet-facing', 'internal'], 'internet-facing'),
      certificateArn: str('ACM certificate: a TLS listener on 443 (wss://, https://) terminated at the NLB, the only listener unless gateway.tls.allowPlaintext.', '', { pattern: '^$|^arn:aws[a-z-]*:acm:' }),
      sslPolicy: str('TLS policy of the 443 listener.', 'ELBSecurityPolicy-TLS13-1-2-2021-06'),
      idleTimeoutSeconds: int('TCP idle timeout of the plain listener (60-6000; TLS listeners are fixed at 350 by AWS). Heartbeats every 15 s keep sockets busy anyway.', 350, 60, 6000),
      proxyProtocol: bool('Send PROXY protocol v2 to the targets. The gateway does not parse it: leave false unless something in front of the gateway strips it.', false),
      crossZone: bool('Cross-zone load balancing (even spread across zones; inter-AZ data transfer is billed).', true),
      extraTargetGroupAttributes: str('More target group attributes, comma-separated key=value.', '', { pattern: '^$|^[a-z0-9_.]+=[^,]+(,[a-z0-9_.]+=[^,]+)*$' }),
    }),
    serviceAccount: serviceAccount('gateway'),
    pdb: pdb('gateway'),
    ...scheduling('gateway'),
  }),

  engine: obj('The game engines (consumer group "engines"; metrics on 9101).', {
    image: image('gambit/game-engine', 'game engine'),
    replicas: int('Pods when autoscaling is off.', 2, 1),
    resources: resources('engine', '250m', '256Mi', '512Mi'),
    autoscaling: obj('HorizontalPodAutoscaler on CPU.', {
      enabled: bool('Scale the engines on CPU.', true),
      minReplicas: int('Fewest pods.', 2, 1),
      maxReplicas: int('Most pods.', 10, 1),
      targetCPUUtilizationPercentage: int('Average CPU use (of the request) to aim at.', 70, 10, 100),
    }),
    reconnectGraceMs: int('How long a disconnected player keeps the seat.', 12_000, 1_000, 600_000),
    roomTtlMs: int('Waiting and ended rooms are deleted this long after creation or their end.', 3_600_000, 10_000),
    commitDurability: oneOf('async: a move is done when the Redis primary has it (a failover can lose the newest). replicated: each commit waits for a replica (WAIT 1, commitWaitMs), the finalizers store a game only once a replica has its end (WAIT 1 after each read), and with redis.external.readerHost the gateways show only replicated moves (docs/redis-cluster.md, section 4). Needs a Redis with a replica.', ['async', 'replicated'], 'async'),
    commitWaitMs: int('How long a replicated commit (or a finalizer\'s read) waits for the replica before it goes on (counted in gambit_engine_commits_unreplicated_total, gambit_finalizer_reads_unreplicated_total).', 250, 1, 10_000),
    deadlineScanMs: int('How often each engine checks flag, grace and expiry deadlines.', 100, 10, 5_000),
    claimIdleMs: int('A command pending this long on a dead engine is claimed by a live one.', 5_000, 100),
    roomLogCap: int('Events kept per room for resume.', 256, 16, 10_000),
    serviceAccount: serviceAccount('engine'),
    pdb: pdb('engine'),
    ...scheduling('engine'),
  }),

  finalizer: obj('The finalizers (DynamoDB writes; read API and metrics on 8082).', {
    image: image('gambit/finalizer', 'finalizer'),
    replicas: int('Pods.', 2, 1),
    resources: resources('finalizer', '100m', '192Mi', '384Mi'),
    maxAttempts: int('DynamoDB attempts per game before the dead-letter stream.', 5, 1, 20),
    backoffBaseMs: int('First retry delay; doubles each attempt.', 250, 1, 60_000),
    claimIdleMs: int('A finalize entry pending this long on a dead finalizer is claimed.', 15_000, 50),
    serviceAccount: serviceAccount('finalizer', ': on EKS with IRSA, eks.amazonaws.com/role-arn (EKS Pod Identity needs none)'),
    pdb: pdb('finalizer'),
    ...scheduling('finalizer'),
  }),

  roomReaper: obj('The room-reaper controller (leader-elected through a Lease): dead gateways, expiries, scaling on connections.', {
    enabled: bool('Run it: reaps expired rooms and dead gateways, scales the gateways on live connections.', true),
    image: image('gambit/room-reaper', 'room-reaper controller'),
    replicas: int('Pods (one leads, the others wait).', 2, 1),
    resources: resources('room-reaper', '50m', '128Mi', '256Mi'),
    metricsPort: int('Port of /metrics, /healthz and /readyz.', 9102, 1, 65535),
    scaler: obj('The ConnectionScaler that scales the gateway Deployment on live connections (the gateway Deployment then leaves replicas to it).', {
      enabled: bool('Create it.', true),
      targetConnectionsPerPod: int('Connections one gateway pod should hold.', 2000, 1, 1_000_000),
      minReplicas: int('Fewest gateway pods.', 2, 1, 1000),
      maxReplicas: int('Most gateway pods.', 20, 1, 1000),
      scaleDownStabilizationSeconds: int('Scale down to the highest recommendation of this window.', 300, 0, 3600),
    }),
    env: raw<Record<string, string>>('More settings of the controller (docs/controller.md), e.g. REAP_EVERY_MS; never secrets.', {}, stringMap),
    serviceAccount: serviceAccount('room-reaper'),
    pdb: pdb('room-reaper'),
    ...scheduling('room-reaper'),
  }),

  accounts: obj('Player accounts (services/accounts, port 8070): the OIDC relying party behind the gateway (/auth/*, /api/session, /api/account*, /api/users/*), browser sessions in Redis, accounts in DynamoDB (dynamodb.usersTable, dynamodb.usernamesTable). It signs socket tokens with the gateway\'s key (the token Secret).', {
    enabled: bool('Run it and point the gateway at it (ACCOUNTS_URL); off: guests only, as before.', false),
    image: image('gambit/accounts', 'accounts service'),
    replicas: int('Pods.', 2, 1),
    resources: resources('accounts', '100m', '128Mi', '256Mi'),
    publicUrl: str('The site as players reach it, an origin without a path (e.g. https://chess.example.com): redirect URI (PUBLIC_URL/auth/callback), cookies (Secure under https), Origin checks. Required when enabled.', '', origin),
    oidc: obj('The OpenID Provider players sign in at (Amazon Cognito, or idProvider when that is enabled).', {
      issuer: str('Issuer URL (Cognito: https://cognito-idp.REGION.amazonaws.com/POOL_ID); empty with idProvider.enabled: idProvider.issuer.', '', { pattern: '^$|^https?://' }),
      clientId: str('App client id; empty with idProvider.enabled: idProvider.clientId.', ''),
      existingSecret: str('Secret holding the app client\'s secret; empty with idProvider.enabled: the id-provider\'s Secret.', '', { pattern: '^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
      clientSecretKey: str('Key of the client secret in accounts.oidc.existingSecret.', 'client-secret', { pattern: '^[-._a-zA-Z0-9]+$' }),
      promptCreate: bool('/auth/signup sends prompt=create (the provider\'s sign-up page); false for providers that refuse it (Cognito).', true),
      endSessionUrl: str('Sign-out URL for providers whose discovery names none (Cognito: https://DOMAIN/logout); empty: the provider\'s end_session_endpoint.', '', { pattern: '^$|^https://' }),
      scopes: str('Scopes asked for.', 'openid profile email', { minLength: 1 }),
      cidrs: raw<string[]>('Where the issuer is (egress NetworkPolicy of the accounts pods: discovery, token and JWKS endpoints, port 443; with idProvider also its Service port).', ['0.0.0.0/0'], cidrList),
    }),
    socketTokenTtlSeconds: int('Life of the socket tokens it signs (one per connect).', 300, 30, 3600),
    sessionTtlDays: int('A browser session lives this long after its last use.', 30, 1, 365),
    usernameHoldDays: int('A username given up is held this long before anyone else may take it.', 30, 0, 3650),
    pageOrigins: raw<string[]>('Origins the page is served from besides publicUrl (a CDN on another origin: docs/client.md, "The server\'s origin"): their requests are accepted and sign-in may return there; add them to auth.allowedOrigins too.', [], {
      type: 'array', items: { type: 'string', pattern: '^https?://[^/,\\s]+$' },
    }),
    sessionCookieSameSite: oneOf('SameSite of the session cookies: lax (the page on the same site as publicUrl) or none (another site; needs an https publicUrl, and browsers that block third-party cookies will not sign in).', ['lax', 'none'], 'lax'),
    serviceAccount: serviceAccount('accounts service', ': on EKS with IRSA, eks.amazonaws.com/role-arn of a role with infra/iam/accounts-dynamodb-policy.json (EKS Pod Identity needs none)'),
    pdb: pdb('accounts service'),
    ...scheduling('accounts'),
  }),

  idProvider: obj('The embedded OpenID Provider (services/id-provider, port 8090): sign-up and sign-in pages, accounts in Redis. For development and small installs; production uses Cognito or another issuer (accounts.oidc). Browsers reach it at its own origin (idProvider.issuer) through its own Service, a LoadBalancer like the gateway\'s by default.', {
    enabled: bool('Run it; accounts.oidc then defaults to it. Needs accounts.enabled (its one client is the accounts service).', false),
    image: image('gambit/id-provider', 'id-provider'),
    replicas: int('Pods (state is in Redis, so any pod serves any step).', 2, 1),
    resources: resources('id-provider', '50m', '128Mi', '256Mi'),
    issuer: str('Its public origin as browsers and the accounts pods reach it (e.g. https://id.chess.example.com: a DNS name for its Service\'s load balancer). Required when enabled.', '', origin),
    clientId: str('The client id of the accounts service at this provider.', 'gambit', { minLength: 1 }),
    existingSecret: str('Secret with the keys client-secret, cookie-keys (comma-separated, 32+ characters each) and signing-key (EC P-256 or RSA private key, PEM); empty: the chart creates one on install and keeps it across upgrades.', '', { pattern: '^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
    trustProxy: bool('Take the client address from X-Forwarded-For (only behind a proxy that sets it; the NLB keeps client addresses without it).', false),
    ingressCidrs: raw<string[]>('Who may reach port 8090 (ingress NetworkPolicy): the players plus the VPC (NLB health checks).', ['0.0.0.0/0'], cidrList),
    service: obj('Its Service: the public origin idProvider.issuer names.', {
      type: oneOf('LoadBalancer (an NLB of its own on EKS), NodePort (kind) or ClusterIP (port-forward, or your own ingress).', ['LoadBalancer', 'NodePort', 'ClusterIP'], 'LoadBalancer'),
      port: int('Plain TCP port (http://).', 80, 1, 65535),
      nodePort: int('Node port when type is NodePort.', 30090, 30000, 32767),
      annotations: raw<Record<string, string>>('Extra annotations of the Service.', {}, stringMap),
      loadBalancerSourceRanges: raw<string[]>('Client CIDRs allowed through the load balancer; empty: everyone.', [], { type: 'array', items: { type: 'string' } }),
    }),
    nlb: obj('AWS Network Load Balancer settings of its Service (AWS Load Balancer Controller annotations; ignored off AWS).', {
      enabled: bool('Annotate the Service for the AWS Load Balancer Controller (NLB, IP targets).', true),
      scheme: oneOf('internet-facing or internal.', ['internet-facing', 'internal'], 'internet-facing'),
      certificateArn: str('ACM certificate: adds a TLS listener on 443 (https://) terminated at the NLB.', '', { pattern: '^$|^arn:aws[a-z-]*:acm:' }),
      sslPolicy: str('TLS policy of the 443 listener.', 'ELBSecurityPolicy-TLS13-1-2-2021-06'),
    }),
    serviceAccount: serviceAccount('id-provider'),
    pdb: pdb('id-provider'),
    ...scheduling('id-provider'),
  }),

  turn: obj('coturn for the video calls between the two seated players (WebRTC): STUN tells a browser its public address, TURN relays the calls whose browsers cannot reach each other directly (typically 10-20 %). The gateway hands each player short-lived TURN credentials (TURN REST: an HMAC made with coturn\'s static-auth-secret), so the secret never reaches a browser. coturn runs on the host network of nodes with public addresses, one pod per node, not behind a load balancer: docs/helm.md says why.', {
    enabled: bool('Run coturn and give the gateways TURN_URLS, TURN_SECRET, STUN_URLS and TURN_TTL_SECONDS; off: calls are peer to peer only (most connect, some never do).', false),
    image: image('coturn/coturn', 'coturn TURN server', 'docker.io', '4.6.3'),
    replicas: int('Pods, each on a node of its own (the host network: two cannot share a node\'s ports), each with its node\'s public address. Point the host name of turn.urls at all of them.', 2, 1),
    resources: resources('coturn', '100m', '128Mi', '512Mi'),
    urls: raw<string[]>('The TURN URLs players\' browsers use (TURN_URLS), e.g. turn:turn.example.com:3478?transport=udp and turn:turn.example.com:3478?transport=tcp (and turns:turn.example.com:5349?transport=tcp with turn.tls). Required when enabled.', [], {
      type: 'array', items: { type: 'string', pattern: '^turns?:[^,\\s]+$' },
    }),
    stunUrls: raw<string[]>('STUN URLs handed out without credentials (STUN_URLS), e.g. stun:turn.example.com:3478 (coturn answers STUN on its TURN port); empty: none.', [], {
      type: 'array', items: { type: 'string', pattern: '^stuns?:[^,\\s]+$' },
    }),
    ttlSeconds: int('Life of a player\'s TURN credentials (TURN_TTL_SECONDS). coturn refuses them afterwards, also for the refreshes of a call in progress: keep it above the longest call.', 21_600, 60, 604_800),
    realm: str('Realm coturn announces (part of the TURN long-term credential; any name, by convention the TURN host name).', 'gambit', { pattern: '^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$' }),
    existingSecret: str('Secret holding coturn\'s static-auth-secret (16 characters or more), which the gateways sign credentials with; empty: the chart creates one (48 random characters) and keeps it across upgrades.', '', { pattern: '^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
    secretKey: str('Key of the static-auth-secret in that Secret (generated or brought).', 'static-auth-secret', { pattern: '^[-._a-zA-Z0-9]+$' }),
    port: int('TURN and STUN port, UDP and TCP (--listening-port), on the node.', 3478, 1024, 65535),
    relayPorts: obj('UDP ports coturn relays media on (--min-port, --max-port), on the node: one per allocation (a browser makes one per TURN URL it tries). Open them to the players in the nodes\' security group.', {
      min: int('First port.', 49152, 1024, 65535),
      max: int('Last port.', 65535, 1024, 65535),
    }),
    externalIp: str('Public IPv4 address coturn writes into its relay candidates (--external-ip, mapped to the node\'s private address). Empty: each pod asks DNS for its node\'s public address when it starts (detect-external-ip of the image: OpenDNS, Google, Cloudflare, Akamai). One address for every pod, so only with one replica: an Elastic IP of a single TURN node, or a kind node\'s address.', '', { pattern: '^$|^([0-9]{1,3}\\.){3}[0-9]{1,3}$' }),
    userQuota: int('Allocations one set of TURN credentials (one player) may hold at once (--user-quota); 0: no limit.', 12, 0),
    totalQuota: int('Allocations one coturn pod may hold at once (--total-quota); 0: no limit.', 0, 0),
    deniedPeerIps: raw<string[]>('Peer address ranges coturn never relays to (--denied-peer-ip, FIRST-LAST): private, loopback, link-local (the instance metadata service) and other special ranges, so TURN cannot be used to reach the VPC or the node. Empty it only where players are on a private network (kind).', [
      '0.0.0.0-0.255.255.255', '10.0.0.0-10.255.255.255', '100.64.0.0-100.127.255.255', '127.0.0.0-127.255.255.255',
      '169.254.0.0-169.254.255.255', '172.16.0.0-172.31.255.255', '192.0.0.0-192.0.0.255', '192.0.2.0-192.0.2.255',
      '192.88.99.0-192.88.99.255', '192.168.0.0-192.168.255.255', '198.18.0.0-198.19.255.255', '198.51.100.0-198.51.100.255',
      '203.0.113.0-203.0.113.255', '240.0.0.0-255.255.255.255',
      '::1', '::ffff:0.0.0.0-::ffff:255.255.255.255', '64:ff9b::-64:ff9b::ffff:ffff',
      'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ], { type: 'array', items: { type: 'string', pattern: '^[0-9a-fA-F.:]+(-[0-9a-fA-F.:]+)?$' } }),
    ingressCidrs: raw<string[]>('Who may reach the TURN port and the relay ports (ingress NetworkPolicy). On the host network most CNIs (the VPC CNI too) do not apply NetworkPolicies: the nodes\' security group is the filter that counts.', ['0.0.0.0/0'], cidrList),
    peerCidrs: raw<string[]>('Where relayed media may go (egress NetworkPolicy, UDP): the players, so anywhere; turn.deniedPeerIps keeps private ranges out.', ['0.0.0.0/0'], cidrList),
    tls: obj('TURN over TLS (turns: URLs) for players behind firewalls that pass only TLS: a kubernetes.io/tls Secret for the TURN host name, e.g. from cert-manager. coturn reads it at start: restart the Deployment after a renewal.', {
      existingSecret: str('The Secret (tls.crt, tls.key); empty: no TLS listener.', '', { pattern: '^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
      port: int('TLS port (--tls-listening-port). 443 passes the most firewalls; below 1024 the pod may gain the one file capability of the turnserver binary, NET_BIND_SERVICE (allowPrivilegeEscalation).', 5349, 1, 65535),
    }),
    metrics: obj('coturn\'s Prometheus exporter (--prometheus, /metrics), scraped through a ServiceMonitor when monitoring.serviceMonitor.enabled.', {
      enabled: bool('Serve /metrics.', true),
      port: int('Its port (--prometheus-port), on the node\'s addresses: keep it closed to the internet in the security group.', 9641, 1024, 65535),
    }),
    service: obj('A headless Service over the coturn pods: discovery for the ServiceMonitor, and DNS for turn.urls through external-dns.', {
      annotations: raw<Record<string, string>>('Annotations of the Service, e.g. external-dns.alpha.kubernetes.io/hostname: turn.example.com with external-dns.alpha.kubernetes.io/endpoints-type: NodeExternalIP (records for the nodes\' public addresses).', {}, stringMap),
    }),
    serviceAccount: serviceAccount('coturn'),
    pdb: pdb('coturn'),
    ...scheduling('coturn'),
  }),

  web: obj('The browser client: its image copies the files into the gateway pods (WEB_ROOT), so one NLB serves page and socket.', {
    enabled: bool('Serve the client from the gateways; false: host web/dist elsewhere (CDN) yourself.', true),
    image: image('gambit/web', 'browser client'),
  }),

  networkPolicy: obj('NetworkPolicies: default deny for every pod of the release, then only the paths of the design.', {
    enabled: bool('Create them (the cluster needs a NetworkPolicy engine: VPC CNI with network policy on EKS, kindnet 0.22+ or Calico on kind).', true),
    dns: obj('Where cluster DNS runs.', {
      namespaceSelector: raw<Record<string, string>>('Labels of its namespace.', { 'kubernetes.io/metadata.name': 'kube-system' }, stringMap),
      podSelector: raw<Record<string, string>>('Labels of its pods.', { 'k8s-app': 'kube-dns' }, stringMap),
    }),
    prometheus: obj('Who may scrape /metrics.', {
      namespaceSelector: raw<Record<string, string>>('Labels of Prometheus\'s namespace.', { 'kubernetes.io/metadata.name': 'monitoring' }, stringMap),
      podSelector: raw<Record<string, string>>('Labels of the Prometheus pods; empty: any pod of that namespace.', {}, stringMap),
    }),
    apiServerCidrs: raw<string[]>('Where the Kubernetes API server is (egress of the controller, 443 and 6443).', ['0.0.0.0/0'], cidrList),
  }),

  monitoring: obj('Prometheus Operator objects (needs its CRDs, e.g. kube-prometheus-stack).', {
    serviceMonitor: obj('A ServiceMonitor per component; targets get a component label.', {
      enabled: bool('Create them.', false),
      interval: str('Scrape interval.', '30s', { pattern: '^[0-9]+(ms|s|m)$' }),
      scrapeTimeout: str('Scrape timeout.', '10s', { pattern: '^[0-9]+(ms|s|m)$' }),
      labels: raw<Record<string, string>>('Labels the Prometheus serviceMonitorSelector wants (e.g. release: kube-prometheus-stack).', {}, stringMap),
    }),
    prometheusRule: obj('The alert rules of observability/prometheus/alerts.yml as a PrometheusRule.', {
      enabled: bool('Create it.', false),
      labels: raw<Record<string, string>>('Labels the Prometheus ruleSelector wants.', {}, stringMap),
    }),
    dashboards: obj('The Grafana dashboards of observability/grafana as ConfigMaps for the Grafana sidecar.', {
      enabled: bool('Create them.', false),
      labels: raw<Record<string, string>>('Extra labels (grafana_dashboard: "1" is always set).', {}, stringMap),
      annotations: raw<Record<string, string>>('Annotations, e.g. grafana_folder: Gambit.', {}, stringMap),
      namespace: str('Namespace of the ConfigMaps (where the sidecar looks); empty: the release namespace.', ''),
    }),
    alertmanager: alertmanagerValues,
  }),

  tests: obj('`helm test`: a pod that plays the protocol\'s ping through the gateway Service.', {
    enabled: bool('Include the test pod.', true),
  }),
});

export type Values = Infer<typeof valuesSpec>;
export const defaultValues = (): Values => defaults(valuesSpec);
