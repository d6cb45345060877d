// The cluster, the AWS pieces, kind and the delivery pipeline: the files parse, agree with each
// other and with the chart, grant least privilege, and the workflow passes a real linter.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableDefinitions } from '../../services/finalizer/src/tables.js';
import { accountTableDefinitions } from '../../services/accounts/src/adapters/tables.js';
import { eksProfile, kindProfile } from '../../cdk8s/src/profiles.js';
import { parseYaml } from '../../cdk8s/src/yaml.js';
import { cfnLintErrors, cfnLintInstalled, danglingReferences, mistakeError, ofType, references, type Res, template, writeBrokenCopies } from './cloudformation.js';
import { named, pods, profileFiles, render, root } from './support.js';

/** The chart with accounts on (the embedded provider), for the names of their objects. */
const ACCOUNTS = ['accounts.enabled=true', 'accounts.publicUrl=https://chess.example.com', 'idProvider.enabled=true', 'idProvider.issuer=https://id.chess.example.com'];

const read = (f: string) => readFileSync(join(root, f), 'utf8');
const SAMPLE = { CLUSTER_NAME: 'gambit', AWS_REGION: 'eu-west-1', AWS_ACCOUNT_ID: '123456789012', GITHUB_REPOSITORY: 'acme/gambit' };
/** envsubst, as docs/deploy-eks.md runs it. */
const subst = (text: string) => text.replace(/\$\{([A-Z_]+)\}/g, (m, k: string) => (k in SAMPLE ? SAMPLE[k as keyof typeof SAMPLE] : m));

type Statement = { Sid?: string; Effect: string; Action: string[] | string; Resource: string | string[]; Principal?: unknown; Condition?: unknown };
type PolicyDoc = { Version: string; Statement: Statement[] };
const policy = (f: string) => JSON.parse(subst(read(f))) as PolicyDoc;
const list = (x: string | string[]) => (Array.isArray(x) ? x : [x]);

interface NodeGroup { name: string; spot?: boolean; privateNetworking?: boolean; labels?: Record<string, string>; taints?: { key: string; value: string; effect: string }[]; instanceTypes: string[] }
interface ClusterConfig {
  metadata: { name: string; region: string; version: string };
  availabilityZones: string[];
  vpc: { nat: { gateway: string } };
  iam: { withOIDC: boolean; podIdentityAssociations: { namespace: string; serviceAccountName: string; permissionPolicy?: PolicyDoc; wellKnownPolicies?: Record<string, boolean> }[] };
  addons: { name: string; configurationValues?: string }[];
  managedNodeGroups: NodeGroup[];
  accessConfig: { accessEntries: { principalARN: string; accessPolicies: { accessScope: { type: string; namespaces?: string[] } }[] }[] };
  cloudWatch: { clusterLogging: { enableTypes: string[] } };
}
const cluster = (file = 'infra/eksctl/cluster.yaml') => parseYaml(subst(read(file))) as ClusterConfig;

describe('infra/eksctl/cluster.yaml', () => {
  test('three zones, private nodes, one NAT, Kubernetes 1.30+, control-plane logs', () => {
    const c = cluster();
    expect(c.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    for (const g of c.managedNodeGroups) expect({ g: g.name, private: g.privateNetworking }).toEqual({ g: g.name, private: true });
    expect(c.vpc.nat.gateway).toBe('Single');
    expect(Number(c.metadata.version.split('.')[1])).toBeGreaterThanOrEqual(30);
    expect(c.cloudWatch.clusterLogging.enableTypes).toEqual(expect.arrayContaining(['api', 'audit', 'authenticator']));
  });

  test('node groups match the EKS values: gateways and engines on demand, finalizers and controller on spot (tolerated)', () => {
    const c = cluster();
    const realtime = c.managedNodeGroups.find((g) => g.labels?.['gambit.dev/pool'] === 'realtime')!;
    const spot = c.managedNodeGroups.find((g) => g.labels?.['gambit.dev/pool'] === 'spot')!;
    expect(realtime.spot).toBeFalsy();
    expect(spot.spot).toBe(true);
    const v = eksProfile.values;
    expect(v.gateway!.nodeSelector).toEqual({ 'gambit.dev/pool': 'realtime' });
    expect(v.engine!.nodeSelector).toEqual({ 'gambit.dev/pool': 'realtime' });
    for (const tolerant of [v.finalizer!, v.roomReaper!]) {
      expect(tolerant.nodeSelector).toEqual({ 'gambit.dev/pool': 'spot' });
      const t = spot.taints![0]!;
      expect(tolerant.tolerations).toEqual([{ key: t.key, operator: 'Exists', effect: t.effect }]);
    }
    // nothing without a toleration can land on spot
    expect(v.gateway!.tolerations ?? []).toEqual([]);
    expect(spot.instanceTypes.length).toBeGreaterThan(2); // several pools: fewer simultaneous interruptions
  });

  test('Pod Identity: the finalizer\'s ServiceAccount gets exactly infra/iam/finalizer-dynamodb-policy.json; the LB controller its well-known policy', () => {
    const c = cluster();
    const objects = render({ files: profileFiles.eks });
    const saName = pods([named(objects, 'Deployment', 'gambit-finalizer')])[0]!.spec.serviceAccountName;
    const fin = c.iam.podIdentityAssociations.find((a) => a.serviceAccountName === saName && a.namespace === 'gambit');
    expect(fin?.permissionPolicy).toEqual(policy('infra/iam/finalizer-dynamodb-policy.json'));
    // the accounts service's, for when accounts.enabled: exactly infra/iam/accounts-dynamodb-policy.json
    const accountsSa = pods([named(render({ files: profileFiles.eks, set: ACCOUNTS }), 'Deployment', 'gambit-accounts')])[0]!.spec.serviceAccountName;
    const acc = c.iam.podIdentityAssociations.find((a) => a.serviceAccountName === accountsSa && a.namespace === 'gambit');
    expect(acc?.permissionPolicy).toEqual(policy('infra/iam/accounts-dynamodb-policy.json'));
    const lbc = c.iam.podIdentityAssociations.find((a) => a.serviceAccountName === 'aws-load-balancer-controller');
    expect(lbc?.wellKnownPolicies).toEqual({ awsLoadBalancerController: true });
    expect(c.addons.map((a) => a.name)).toEqual(expect.arrayContaining(['vpc-cni', 'eks-pod-identity-agent', 'coredns', 'kube-proxy', 'metrics-server']));
    expect(JSON.parse(c.addons.find((a) => a.name === 'vpc-cni')!.configurationValues!)).toEqual({ enableNetworkPolicy: 'true' });
  });

  test('the deploy role can administer the namespaces the release writes to, no more', () => {
    const entry = cluster().accessConfig.accessEntries[0]!;
    expect(entry.principalARN).toBe('arn:aws:iam::123456789012:role/gambit-github-deploy');
    const namespaces = new Set(['gambit', ...render({ files: profileFiles.eks, namespace: 'gambit' }).map((o) => o.metadata.namespace).filter((n): n is string => !!n)]);
    expect(entry.accessPolicies.map((p) => p.accessScope)).toEqual([{ type: 'namespace', namespaces: [...namespaces].sort() }]);
  });
});

describe('infra/eksctl/cluster-lean.yaml (the cheapest safe profile)', () => {
  test('the same cluster as cluster.yaml but for the node groups', () => {
    const { managedNodeGroups: _a, ...main } = cluster();
    const { managedNodeGroups: _b, ...lean } = cluster('infra/eksctl/cluster-lean.yaml');
    expect(lean).toEqual(main);
  });

  test('gateways on demand on two nodes at least; engines, finalizers and the controller on spot, tolerated', () => {
    const groups = cluster('infra/eksctl/cluster-lean.yaml').managedNodeGroups;
    const realtime = groups.find((g) => g.labels?.['gambit.dev/pool'] === 'realtime') as NodeGroup & { minSize: number };
    const spot = groups.find((g) => g.labels?.['gambit.dev/pool'] === 'spot')!;
    expect(realtime.spot).toBeFalsy();
    expect(realtime.minSize).toBeGreaterThanOrEqual(2);
    expect(spot.spot).toBe(true);
    const objects = render({ files: profileFiles.lean });
    const placement = (d: string) => {
      const spec = pods([named(objects, 'Deployment', d)])[0]!.spec as unknown as { nodeSelector?: Record<string, string>; tolerations?: { key: string }[] };
      return { pool: spec.nodeSelector?.['gambit.dev/pool'], tolerates: (spec.tolerations ?? []).some((t) => t.key === spot.taints![0]!.key) };
    };
    expect(placement('gambit-gateway')).toEqual({ pool: 'realtime', tolerates: false });
    for (const d of ['gambit-game-engine', 'gambit-finalizer', 'gambit-room-reaper']) expect({ d, ...placement(d) }).toEqual({ d, pool: 'spot', tolerates: true });
  });
});

describe('IAM policy documents', () => {
  test('the finalizer may do what its code does to its tables, nothing else', () => {
    // the DynamoDB calls of the production code path (tables.ts creates tables only with CREATE_TABLES, in development)
    const store = read('services/finalizer/src/store.ts');
    const calls = new Set([...store.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!));
    const transactItems = new Set([...store.matchAll(/^\s+(Put|Update|Delete|ConditionCheck): \{/gm)].map((m) => m[1]!));
    const needed = new Set<string>();
    for (const c of calls) {
      if (c === 'TransactWriteItems') continue; // authorized per item: PutItem, UpdateItem, ...
      needed.add(`dynamodb:${c}`);
    }
    for (const t of transactItems) needed.add(`dynamodb:${t === 'ConditionCheck' ? 'ConditionCheckItem' : `${t}Item`}`);
    const doc = policy('infra/iam/finalizer-dynamodb-policy.json');
    const granted = new Set(doc.Statement.flatMap((s) => list(s.Action)));
    expect([...granted].sort()).toEqual([...needed].sort());
    for (const s of doc.Statement) {
      expect(s.Effect).toBe('Allow');
      for (const r of list(s.Resource)) expect(r).toMatch(/^arn:aws:dynamodb:eu-west-1:123456789012:table\/gambit-(games|players)(\/index\/byPlayer)?$/);
    }
    const query = doc.Statement.find((s) => list(s.Action).includes('dynamodb:Query'))!;
    expect(query.Resource).toMatch(/\/index\/byPlayer$/); // reads by player go through the index only
  });

  test('the accounts service may do what its code does to its three tables, nothing else', () => {
    // the item calls of the adapter, and the readiness probe's call (app.ts); tables.ts creates
    // tables only with CREATE_TABLES, in development
    const commands = (f: string) => new Set([...read(f).matchAll(/new (\w+)Command\(/g)].map((m) => `dynamodb:${m[1]!}`));
    const items = commands('services/accounts/src/adapters/users.ts');
    const readiness = commands('services/accounts/src/app.ts');
    const doc = policy('infra/iam/accounts-dynamodb-policy.json');
    const granted = (table: string) => new Set(doc.Statement.filter((s) => list(s.Resource).some((r) => r.endsWith(`:table/${table}`))).flatMap((s) => list(s.Action)));
    expect([...items].sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // the batch reads the users of a friends list (users.many): the users table only
    expect([...granted('gambit-usernames')].sort()).toEqual([...items].filter((a) => a !== 'dynamodb:BatchGetItem').sort());
    // readiness checks the users table (as the finalizer checks its games table)
    expect([...granted('gambit-users')].sort()).toEqual([...items, ...readiness].sort());
    for (const s of doc.Statement) {
      expect(s.Effect).toBe('Allow');
      for (const r of list(s.Resource)) expect(r).toMatch(/^arn:aws:dynamodb:eu-west-1:123456789012:table\/gambit-(users|usernames|friends)$/);
    }
    // the friends adapter's reads and a deleted account's rows (DeleteItem), and its writes:
    // transactions of a Put or Delete per item (@gambit/dynamo), which IAM checks as those item
    // actions, on its table only
    const friends = commands('services/accounts/src/adapters/friends.ts');
    expect([...friends].sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect(read('services/accounts/src/adapters/friends.ts')).toMatch(/transactions\.write\(/);
    expect([...granted('gambit-friends')].sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    // the table names the chart gives the service by default
    const cm = named(render({ set: ACCOUNTS }), 'ConfigMap', 'gambit-accounts') as unknown as { data: Record<string, string> };
    expect([cm.data.USERS_TABLE, cm.data.USERNAMES_TABLE, cm.data.FRIENDS_TABLE]).toEqual(['gambit-users', 'gambit-usernames', 'gambit-friends']);
  });

  test('GitHub Actions: only the production environment of the repository may assume the deploy role, which can push gambit/* images and describe the cluster', () => {
    const trust = policy('infra/iam/github-oidc-trust-policy.json').Statement[0]!;
    expect(trust.Principal).toEqual({ Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' });
    expect(trust.Condition).toEqual({ StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:acme/gambit:environment:production' } });
    const deploy = policy('infra/iam/github-deploy-policy.json');
    for (const s of deploy.Statement) {
      for (const r of list(s.Resource)) {
        if (r === '*') expect(list(s.Action)).toEqual(['ecr:GetAuthorizationToken']); // has no resource-level form
        else expect(r).toMatch(/^arn:aws:(ecr:eu-west-1:123456789012:repository\/gambit\/\*|eks:eu-west-1:123456789012:cluster\/gambit)$/);
      }
    }
  });
});

describe('infra/aws/data.yaml (CloudFormation)', () => {
  const c = template('infra/aws/data.yaml');

  test('the tables are the finalizer\'s own definitions', () => {
    const r = c.Resources;
    const defs = tableDefinitions({ games: 'G', players: 'P' });
    const strip = (d: Record<string, unknown>) => ({ AttributeDefinitions: d.AttributeDefinitions, KeySchema: d.KeySchema, GlobalSecondaryIndexes: d.GlobalSecondaryIndexes, BillingMode: d.BillingMode });
    expect(strip(r.GamesTable!.Properties)).toEqual(strip(defs[0] as unknown as Record<string, unknown>));
    expect(strip(r.PlayersTable!.Properties)).toEqual(strip(defs[1] as unknown as Record<string, unknown>));
    expect(r.GamesTable!.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  test('free gateway endpoints only (DynamoDB and S3), on the private route tables', () => {
    const endpoints = ofType(c, 'AWS::EC2::VPCEndpoint').map(([, r]) => r);
    expect(endpoints.map((e) => e.Properties.VpcEndpointType)).toEqual(['Gateway', 'Gateway']);
    expect(endpoints.map((e) => (e.Properties.ServiceName as { 'Fn::Sub': string })['Fn::Sub']).sort()).toEqual(['com.amazonaws.${AWS::Region}.dynamodb', 'com.amazonaws.${AWS::Region}.s3']);
    for (const e of endpoints) expect(e.Properties.RouteTableIds).toEqual({ Ref: 'PrivateRouteTableIds' });
  });

  test('Redis: one primary by default, a Redis Cluster with RedisClusterShards; failover across zones, TLS and AUTH, reachable from the nodes only', () => {
    const redis = c.Resources.Redis!;
    expect(redis.Type).toBe('AWS::ElastiCache::ReplicationGroup');
    const p = redis.Properties;
    const noValue = { Ref: 'AWS::NoValue' };
    // RedisClusterShards 0 (the default): one primary and a replica, cluster mode left off.
    expect(c.Parameters!.RedisClusterShards).toMatchObject({ Type: 'Number', Default: 0, MinValue: 0 });
    expect(c.Conditions).toEqual({ ClusterMode: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'RedisClusterShards' }, 0] }] }, OnePrimary: { 'Fn::Equals': [{ Ref: 'RedisClusterShards' }, 0] } });
    expect(p.NumCacheClusters).toEqual({ 'Fn::If': ['OnePrimary', 2, noValue] });
    // Otherwise that many primaries with a replica each, cluster mode on (and in the parameter group).
    expect(p.ClusterMode).toEqual({ 'Fn::If': ['ClusterMode', 'enabled', noValue] });
    expect(p.NumNodeGroups).toEqual({ 'Fn::If': ['ClusterMode', { Ref: 'RedisClusterShards' }, noValue] });
    expect(p.ReplicasPerNodeGroup).toEqual({ 'Fn::If': ['ClusterMode', 1, noValue] });
    expect((c.Resources.RedisParameters!.Properties.Properties as Record<string, unknown>)['cluster-enabled']).toEqual({ 'Fn::If': ['ClusterMode', 'yes', 'no'] });
    // The chart's redis.external.host: the primary endpoint, or the cluster's configuration endpoint.
    expect(c.Outputs!.RedisPrimaryEndpoint).toMatchObject({ Condition: 'OnePrimary', Value: { 'Fn::GetAtt': ['Redis', 'PrimaryEndPoint.Address'] } });
    expect(c.Outputs!.RedisConfigurationEndpoint).toMatchObject({ Condition: 'ClusterMode', Value: { 'Fn::GetAtt': ['Redis', 'ConfigurationEndPoint.Address'] } });
    expect(p).toMatchObject({ Engine: 'redis', AutomaticFailoverEnabled: true, MultiAZEnabled: true, TransitEncryptionEnabled: true });
    expect(String(p.EngineVersion)).toMatch(/^7\./);
    const sg = c.Resources.RedisSecurityGroup!.Properties.SecurityGroupIngress as Record<string, unknown>[];
    expect(sg).toEqual([{ IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, SourceSecurityGroupId: { Ref: 'NodeSecurityGroupId' } }]);
    // the chart connects with TLS and the AUTH token from a Secret
    expect(eksProfile.values.redis).toMatchObject({ bundled: { enabled: false }, external: { tls: true, port: 6379 }, auth: { existingSecret: 'gambit-redis' } });
  });
});

describe('infra/aws/accounts.yaml (CloudFormation: accounts tables and Cognito)', () => {
  const c = template('infra/aws/accounts.yaml');
  /** The resource of that type (the first). */
  const one = (t: string) => (ofType(c, t) as [[string, Res]])[0][1];

  test('the tables are the accounts service\'s own definitions, on demand, with point-in-time recovery', () => {
    const r = c.Resources;
    const defs = accountTableDefinitions({ users: 'U', usernames: 'N', friends: 'F' });
    const strip = (d: Record<string, unknown>) => ({ AttributeDefinitions: d.AttributeDefinitions, KeySchema: d.KeySchema, BillingMode: d.BillingMode });
    expect(strip(r.UsersTable!.Properties)).toEqual(strip(defs[0] as unknown as Record<string, unknown>));
    expect(strip(r.UsernamesTable!.Properties)).toEqual(strip(defs[1] as unknown as Record<string, unknown>));
    expect(strip(r.FriendsTable!.Properties)).toEqual(strip(defs[2] as unknown as Record<string, unknown>));
    for (const t of [r.UsersTable!, r.UsernamesTable!, r.FriendsTable!]) {
      expect(t.Properties).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
    }
    // the names the chart and the IAM policy use
    expect([c.Parameters.UsersTableName!.Default, c.Parameters.UsernamesTableName!.Default, c.Parameters.FriendsTableName!.Default]).toEqual(['gambit-users', 'gambit-usernames', 'gambit-friends']);
  });

  test('the user pool: email sign-in with preferred_username, a password policy, optional MFA, verified email', () => {
    const p = one('AWS::Cognito::UserPool').Properties;
    expect(p.UsernameAttributes).toEqual(['email']);
    expect(p.AutoVerifiedAttributes).toEqual(['email']);
    expect((p.Schema as { Name: string }[]).map((a) => a.Name)).toEqual(['email', 'preferred_username']);
    expect(p.Policies).toMatchObject({ PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true } });
    expect(p.MfaConfiguration).toBe('OPTIONAL');
    expect(p.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(one('AWS::Cognito::UserPoolDomain').Properties.Domain).toEqual({ Ref: 'DomainPrefix' });
  });

  test('the app client: a secret, the code flow, openid profile email, back to SITE/auth/callback and SITE/', () => {
    const client = one('AWS::Cognito::UserPoolClient').Properties;
    expect(client).toMatchObject({
      GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'profile', 'email'],
      CallbackURLs: [{ 'Fn::Sub': '${SiteUrl}/auth/callback' }], LogoutURLs: [{ 'Fn::Sub': '${SiteUrl}/' }],
    });
    // the URLs the accounts service derives from PUBLIC_URL (the chart's accounts.publicUrl)
    const accounts = read('services/accounts/src/app.ts');
    expect(accounts).toContain("new URL('/auth/callback', site).href");
    // (sign-out lands on the page's home: the site, or the first of PAGE_ORIGINS, which the client's LogoutURLs must then list too)
    expect(accounts).toContain('postLogoutUri: `${home || site.origin}/`');
    // SiteUrl takes what accounts.publicUrl takes, https only
    expect(new RegExp(c.Parameters.SiteUrl!.AllowedPattern!).test('https://chess.example.com')).toBe(true);
    expect(new RegExp(c.Parameters.SiteUrl!.AllowedPattern!).test('https://chess.example.com/')).toBe(false);
  });

  test('Google is optional: its provider and its place in the client only when its client id is given', () => {
    expect(c.Conditions!.HasGoogle).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'GoogleClientId' }, ''] }] });
    const google = one('AWS::Cognito::UserPoolIdentityProvider');
    expect(google.Condition).toBe('HasGoogle');
    expect(google.Properties).toMatchObject({ ProviderType: 'Google', ProviderDetails: { client_id: { Ref: 'GoogleClientId' }, client_secret: { Ref: 'GoogleClientSecret' } } });
    expect(c.Parameters.GoogleClientSecret!.NoEcho).toBe(true);
    expect(one('AWS::Cognito::UserPoolClient').Properties.SupportedIdentityProviders).toEqual({ 'Fn::If': ['HasGoogle', ['COGNITO', { Ref: 'GoogleIdentityProvider' }], ['COGNITO']] });
  });

  test('every Ref, GetAtt, Sub variable and Condition names a parameter, resource or condition of the template', () => {
    expect(references(c).length).toBeGreaterThan(10);
    expect(danglingReferences(c)).toEqual([]);
    // the outputs the chart's values come from (docs/deploy-eks.md)
    expect(Object.keys(c.Outputs)).toEqual(expect.arrayContaining(['Issuer', 'ClientId', 'EndSessionUrl', 'UserPoolId']));
    expect(c.Outputs.Issuer!.Value).toEqual({ 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}' });
  });
});

// cfn-lint (the CloudFormation linter, Python) is no dependency of the repository: it runs where it
// is installed (pip install cfn-lint) and is skipped, saying so, elsewhere. One run lints every
// template and the broken copies (cloudformation.ts).
(cfnLintInstalled ? describe : describe.skip)('cfn-lint over the CloudFormation templates (where cfn-lint is installed)', () => {
  // every template there, so a new one is never left out
  const templates = readdirSync(join(root, 'infra/aws')).filter((f) => f.endsWith('.yaml')).map((f) => `infra/aws/${f}`);
  // template, text, its broken form, the rule it breaks, the bad value the error names
  const mistakes = [
    ['infra/aws/accounts.yaml', 'Domain: { Ref: DomainPrefix }', 'Domain: { Ref: DomainPrefx }', 'E1020', 'DomainPrefx'],
    ['infra/aws/alerts.yaml', 'ComparisonOperator: LessThanThreshold', 'ComparisonOperator: LessThan', 'E3030', 'LessThan'],
    // inside the per-shard Fn::ForEach (its indentation): cfn-lint unrolls the loop and checks what it writes
    ['infra/aws/alerts.yaml', '          TreatMissingData: missing', '          TreatMissingData: absent', 'E3030', 'absent'],
  ] as const;
  let dir = '';
  let copies: string[] = [];
  let errors = new Map<string, string[]>();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gambit-cfn-'));
    copies = writeBrokenCopies(dir, mistakes);
    errors = cfnLintErrors([...templates.map((f) => join(root, f)), ...copies]);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every template is linted', () => expect(templates).toEqual(expect.arrayContaining(['infra/aws/data.yaml', 'infra/aws/accounts.yaml', 'infra/aws/alerts.yaml', 'infra/aws/site.yaml', 'infra/aws/flow-logs.yaml', 'infra/aws/ecr.yaml'])));
  test.each(templates)('%s: no errors', (f) => {
    expect({ f, errors: errors.get(join(root, f)) }).toEqual({ f, errors: [] });
  });

  test('a broken template is refused, with the error of its mistake (the check can fail)', () => {
    mistakes.forEach((m, i) => {
      const { source, found, pattern } = mistakeError(m, copies[i]!, errors);
      expect(source).toContain(m[1]);
      expect({ f: m[0], found }).toEqual({ f: m[0], found: expect.arrayContaining([expect.stringMatching(pattern)]) });
    });
  });
});

describe('kind', () => {
  test('the cluster maps the gateway NodePort of values-kind.yaml to localhost:8080, on Kubernetes 1.30+', () => {
    const k = parseYaml(read('infra/kind/cluster.yaml')) as { nodes: { image: string; extraPortMappings: { containerPort: number; hostPort: number }[] }[] };
    const node = k.nodes[0]!;
    expect(node.extraPortMappings).toEqual([expect.objectContaining({ containerPort: kindProfile.values.gateway!.service!.nodePort, hostPort: 8080 })]);
    const [, minor] = /^kindest\/node:v1\.(\d+)\.\d+$/.exec(node.image) ?? [];
    expect(Number(minor)).toBeGreaterThanOrEqual(30);
    const up = read('scripts/kind-up.sh');
    expect(up).toContain('-f charts/gambit/values-kind.yaml');
    expect(up).toContain('--config infra/kind/cluster.yaml');
    expect(up).toContain('HOST_PORT=8080');
    expect(up).toContain('for name in gateway game-engine finalizer room-reaper accounts id-provider web; do');
  });
});

describe('.github/workflows', () => {
  const file = join(root, '.github/workflows/ci.yml');
  const validate = (path: string) => spawnSync(join(root, 'node_modules/.bin/action-validator'), [path], { encoding: 'utf8' });
  type Job = { if?: string; needs?: string; environment?: string; permissions?: Record<string, string>; steps: { uses?: string; run?: string }[] };
  const wf = () => parseYaml(read('.github/workflows/ci.yml')) as { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };

  test('action-validator accepts it, and refuses a broken copy', () => {
    const ok = validate(file);
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const broken = join(mkdtempSync(join(tmpdir(), 'gambit-wf-')), 'ci.yml');
    writeFileSync(broken, read('.github/workflows/ci.yml').replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04'));
    expect(validate(broken).status).not.toBe(0);
  });

  test('pull requests run the README\'s test command; main also deploys, with OIDC and no stored keys', () => {
    const w = wf();
    expect(Object.keys(w.on).sort()).toEqual(['pull_request', 'push']);
    expect(w.permissions).toEqual({ contents: 'read' });
    expect(w.jobs.test!.steps.some((s) => s.run === 'make test')).toBe(true);
    expect(read('README.md')).toContain('make test');
    const d = w.jobs.deploy!;
    expect(d.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(d.needs).toBe('test');
    expect(d.environment).toBe('production'); // the trust policy's subject
    expect(d.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const text = read('.github/workflows/ci.yml');
    expect(text).not.toMatch(/secrets\.|aws-access-key-id|aws-secret-access-key/);
    expect(text).toContain('role-to-assume: arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/gambit-github-deploy');
    expect(text).toContain('--wait');
    expect(text).toContain('rollout status');
    expect(text).toContain('--tag "$TAG"');
  });

  test('every action is pinned to a full commit SHA with its version in a comment', () => {
    const text = read('.github/workflows/ci.yml');
    const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(3);
    for (const [, ref, rest] of uses) {
      expect({ ref, pinned: /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/.test(ref!) }).toEqual({ ref, pinned: true });
      expect(rest).toMatch(/^ # v\d+\.\d+\.\d+$/);
    }
  });
});
