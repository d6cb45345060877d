// The production edges of issue 17 in infra/ and the workflow: the page on CloudFront
// (infra/aws/site.yaml: a private bucket read only through origin access control, the gateway's
// paths never cached and passed on whole, hashed files a year, index.html and the config file never,
// a WAF with AWS's managed groups and a rate rule), the audit trail (EKS control-plane logs in
// infra/eksctl, VPC flow logs in infra/aws/flow-logs.yaml, each with a retention), and the supply
// chain (infra/aws/ecr.yaml scans on push; the workflow scans every image it builds and pushes
// none until all pass). Structure is checked here against the code it serves (the gateway's routes,
// the page's calls, the image list of scripts/build-images.sh); cfn-lint (infra.test.ts and below)
// and actionlint check the files where they are installed, and are skipped, saying so, elsewhere.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isClientRoute } from '../../services/gateway/src/http/static.js';
import { parseYaml } from '../../cdk8s/src/yaml.js';
import { cfnLintErrors, cfnLintInstalled, danglingReferences, mistakeError, ofType, references, template, writeBrokenCopies, type Res } from './cloudformation.js';
import { root } from './support.js';

const text = (f: string) => readFileSync(join(root, f), 'utf8');
const YEAR = 31_536_000;
/** The values CloudWatch Logs accepts for a retention. */
const RETENTIONS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

describe('infra/aws/site.yaml (CloudFront, S3 with origin access control, WAF)', () => {
  const c = template('infra/aws/site.yaml');
  const res = (name: string) => c.Resources[name]!.Properties;
  type Behaviour = {
    PathPattern?: unknown; TargetOriginId: string; ViewerProtocolPolicy: string; AllowedMethods: string[]; Compress?: boolean;
    CachePolicyId: { Ref: string }; OriginRequestPolicyId?: { Ref: string }; ResponseHeadersPolicyId?: { Ref: string };
    FunctionAssociations?: { EventType: string; FunctionARN: unknown }[];
  };
  type DistConfig = {
    WebACLId: unknown; DefaultRootObject: string; Aliases: unknown; HttpVersion: string;
    ViewerCertificate: { 'Fn::If': [string, Record<string, unknown>, Record<string, unknown>] };
    Origins: { Id: string; DomainName: unknown; OriginAccessControlId?: unknown; S3OriginConfig?: { OriginAccessIdentity: string }; CustomOriginConfig?: Record<string, unknown> }[];
    DefaultCacheBehavior: Behaviour; CacheBehaviors: Behaviour[];
  };
  const dist = () => (res('Distribution') as { DistributionConfig: DistConfig }).DistributionConfig;
  const [[bucketName]] = ofType(c, 'AWS::S3::Bucket') as [[string, Res]];

  test('the bucket is private: public access blocked, no ACLs, encrypted, versioned, kept when the stack goes', () => {
    const bucket = c.Resources[bucketName]!;
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    const sse = (bucket.Properties.BucketEncryption as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { SSEAlgorithm: string } }[] }).ServerSideEncryptionConfiguration;
    expect(sse.map((s) => s.ServerSideEncryptionByDefault.SSEAlgorithm)).toEqual(['AES256']);
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.DeletionPolicy).toBe('Retain');
    // no website hosting (that endpoint is public by design) and no legacy origin access identity
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
    expect(ofType(c, 'AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual([]);
  });

  test('only this distribution, through origin access control, may read the bucket; nothing over plain HTTP', () => {
    const [[, policy]] = ofType(c, 'AWS::S3::BucketPolicy') as [[string, Res]];
    expect(policy.Properties.Bucket).toEqual({ Ref: bucketName });
    type St = { Effect: string; Principal: unknown; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
    const statements = (policy.Properties.PolicyDocument as { Statement: St[] }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([{
      Sid: 'ThisDistributionReads', Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject',
      Resource: { 'Fn::Sub': `\${${bucketName}.Arn}/*` },
      Condition: { StringEquals: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}' } } },
    }]);
    const deny = statements.find((s) => s.Effect === 'Deny')!;
    expect(deny).toMatchObject({ Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    // the origin access control signs every request (SigV4), and the page origin uses it
    const [[oacName, oac]] = ofType(c, 'AWS::CloudFront::OriginAccessControl') as [[string, Res]];
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    const page = dist().Origins.find((o) => o.Id === 'page')!;
    expect(page).toEqual({ Id: 'page', DomainName: { 'Fn::GetAtt': [bucketName, 'RegionalDomainName'] }, OriginAccessControlId: { 'Fn::GetAtt': [oacName, 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } });
  });

  test('the distribution: behind the WAF, HTTPS only (HTTP redirected, the gateway\'s paths refuse it), TLS 1.2+ with the us-east-1 certificate for the aliases', () => {
    const d = dist();
    expect(d.WebACLId).toEqual({ 'Fn::GetAtt': ['WebAcl', 'Arn'] });
    expect(d.DefaultRootObject).toBe('index.html');
    for (const b of [d.DefaultCacheBehavior, ...d.CacheBehaviors]) {
      const expected = b.TargetOriginId === 'gateway' ? 'https-only' : 'redirect-to-https';
      expect({ path: b.PathPattern ?? 'default', policy: b.ViewerProtocolPolicy }).toEqual({ path: b.PathPattern ?? 'default', policy: expected });
    }
    const [cond, withAliases, without] = d.ViewerCertificate['Fn::If'];
    expect(cond).toBe('HasAliases');
    expect(withAliases).toEqual({ AcmCertificateArn: { Ref: 'CertificateArn' }, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' });
    expect(without).toEqual({ CloudFrontDefaultCertificate: true });
    expect(d.Aliases).toEqual({ 'Fn::If': ['HasAliases', { 'Fn::Split': [',', { Ref: 'Aliases' }] }, { Ref: 'AWS::NoValue' }] });
    const cert = new RegExp(c.Parameters.CertificateArn!.AllowedPattern!);
    expect(cert.test('arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b')).toBe(true);
    expect(cert.test('arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b')).toBe(false); // CloudFront takes none but us-east-1
    expect(cert.test('')).toBe(true);
    const aliases = new RegExp(c.Parameters.Aliases!.AllowedPattern!);
    expect(['', 'chess.example.com', 'chess.example.com,www.chess.example.com'].map((a) => aliases.test(a))).toEqual([true, true, true]);
    expect(['https://chess.example.com', 'chess.example.com, www.example.com'].map((a) => aliases.test(a))).toEqual([false, false]);
    // aliases without a certificate, or the stack outside us-east-1, are refused before anything is made
    expect(c.Rules!.AliasesNeedCertificate!.Assertions[0]!.Assert).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CertificateArn' }, ''] }] });
    expect(c.Rules!.UsEast1Only!.Assertions[0]!.Assert).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
    // the gateway is reached with TLS only
    const gw = d.Origins.find((o) => o.Id === 'gateway')!;
    expect(gw.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', HTTPSPort: 443, OriginSSLProtocols: ['TLSv1.2'] });
  });

  // CloudFront's matching: the first behaviour whose pattern matches the whole path (* any
  // characters, ? one), else the default.
  const glob = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const patternOf = (b: Behaviour) => (typeof b.PathPattern === 'string' ? b.PathPattern : (c.Parameters.ConfigPath!.Default as string));
  const behaviourFor = (path: string) => dist().CacheBehaviors.find((b) => glob(patternOf(b)).test(path)) ?? dist().DefaultCacheBehavior;
  type Ttl = { MinTTL: number; DefaultTTL: number; MaxTTL: number; ParametersInCacheKeyAndForwardedToOrigin: Record<string, unknown> };
  const ttl = (b: Behaviour) => {
    const p = (res(b.CachePolicyId.Ref) as { CachePolicyConfig: Ttl }).CachePolicyConfig;
    return [p.MinTTL, p.DefaultTTL, p.MaxTTL];
  };
  const cacheControl = (b: Behaviour) => {
    if (!b.ResponseHeadersPolicyId) return undefined;
    const items = (res(b.ResponseHeadersPolicyId.Ref) as { ResponseHeadersPolicyConfig: { CustomHeadersConfig: { Items: { Header: string; Value: string; Override: boolean }[] } } })
      .ResponseHeadersPolicyConfig.CustomHeadersConfig.Items.filter((h) => h.Header.toLowerCase() === 'cache-control');
    expect(items.every((h) => h.Override)).toBe(true); // whatever the upload's metadata said
    return items.map((h) => h.Value).join();
  };
  /** Where a path goes and how long it is kept: at the edge (TTLs) and in browsers (Cache-Control). */
  const route = (path: string) => {
    const b = behaviourFor(path);
    return { path, origin: b.TargetOriginId, ttl: ttl(b), cacheControl: cacheControl(b) };
  };

  test('cache rules: hashed files a year and immutable, index.html, the page\'s routes and the config file never cached', () => {
    const immutable = (path: string) => ({ path, origin: 'page', ttl: [YEAR, YEAR, YEAR], cacheControl: 'public, max-age=31536000, immutable' });
    const revalidated = (path: string) => ({ path, origin: 'page', ttl: [0, 0, 0], cacheControl: 'no-cache' });
    for (const p of ['/app-Q55S63AP.css', '/app-XKXLITO6.js', '/assets/pieces/standard.svg', '/assets/extensions/markers/markers.svg', '/engine/stockfish-VKIKSVPB.wasm', '/engine/stockfish-VKIKSVPB.js']) {
      expect(route(p)).toEqual(immutable(p));
    }
    for (const p of ['/index.html', '/config.json', '/', '/room/K7Q2', '/app-XKXLITO6.js.map', '/engine/LICENSE.txt']) expect(route(p)).toEqual(revalidated(p));
    expect(c.Parameters.ConfigPath!.Default).toBe('/config.json');
    // the names the immutable rules catch are the ones the gateway also caches for good (web/build.js hashes them)
    const hashed = new RegExp(/const HASHED = \/(.+)\/;/.exec(text('services/gateway/src/http/static.ts'))![1]!);
    for (const p of ['/app-Q55S63AP.css', '/app-XKXLITO6.js', '/engine/stockfish-VKIKSVPB.wasm']) expect({ p, hashed: hashed.test(p) }).toEqual({ p, hashed: true });
    expect(text('web/build.js')).toContain("entryNames: '[name]-[hash]'");
    // a year at the edge needs compression on (CloudFront compresses only what it caches); never-cached
    // policies may carry no cache-key settings at all
    const policies = Object.fromEntries(ofType(c, 'AWS::CloudFront::CachePolicy').map(([k, r]) => [k, (r.Properties as { CachePolicyConfig: Ttl }).CachePolicyConfig]));
    for (const [name, p] of Object.entries(policies)) {
      const keyed = p.ParametersInCacheKeyAndForwardedToOrigin as { EnableAcceptEncodingGzip: boolean; HeadersConfig: unknown; CookiesConfig: unknown; QueryStringsConfig: unknown };
      expect({ name, headers: keyed.HeadersConfig, cookies: keyed.CookiesConfig, query: keyed.QueryStringsConfig })
        .toEqual({ name, headers: { HeaderBehavior: 'none' }, cookies: { CookieBehavior: 'none' }, query: { QueryStringBehavior: 'none' } });
      expect({ name, gzip: keyed.EnableAcceptEncodingGzip }).toEqual({ name, gzip: p.MaxTTL > 0 });
    }
  });

  test('the gateway\'s paths: every call of the page and every route of the gateway goes there, never cached, with every header, cookie and query string', () => {
    // the paths the page calls (web/src), ${...} filled in
    const calls = new Set<string>(['/ws']);
    const scan = (dir: string): void => {
      for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
        if (e.isDirectory()) scan(join(dir, e.name));
        else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) {
          for (const m of text(join(dir, e.name)).matchAll(/['"`](\/(?:api|auth)\/[^'"`?]*)/g)) calls.add(m[1]!.replace(/\$\{[^}]*\}/g, 'x'));
        }
      }
    };
    scan('web/src');
    expect(calls.size).toBeGreaterThan(8);
    expect([...calls]).toEqual(expect.arrayContaining(['/api/guest', '/api/session', '/api/live', '/auth/logout']));
    // the gateway's own API routes (routes.ts), and the accounts service's it proxies
    const routes = text('services/gateway/src/http/routes.ts');
    for (const m of routes.matchAll(/path === '(\/api\/[^']+)'/g)) calls.add(m[1]!);
    for (const p of ['/auth/login', '/auth/callback', '/api/account/export', '/api/games/g1', '/api/players/p1/games']) calls.add(p);
    for (const p of calls) expect(route(p)).toEqual({ path: p, origin: 'gateway', ttl: [0, 0, 0], cacheControl: undefined });
    // ...and nothing else reaches the gateway: its metrics and probes stay inside the VPC
    for (const p of ['/metrics', '/healthz', '/readyz', '/api', '/wsx']) expect({ p, origin: behaviourFor(p).TargetOriginId }).toEqual({ p, origin: 'page' });
    // the gateway's behaviours come first (a page rule can never shadow them), allow every method,
    // and pass on all the player sent (WebSocket upgrade headers, Host for the NLB's certificate,
    // Origin, cookies, the OIDC callback's query) plus the player's address
    const gateway = dist().CacheBehaviors.filter((b) => b.TargetOriginId === 'gateway');
    expect(gateway.map((b) => b.PathPattern)).toEqual(['/ws', '/api/*', '/auth/*']);
    expect(dist().CacheBehaviors.slice(0, 3)).toEqual(gateway);
    for (const b of gateway) {
      expect(b.AllowedMethods.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
      expect(b.ResponseHeadersPolicyId).toBeUndefined(); // the gateway's own headers
      expect(b.OriginRequestPolicyId).toEqual({ Ref: 'GatewayOriginRequestPolicy' });
    }
    expect((res('GatewayOriginRequestPolicy') as { OriginRequestPolicyConfig: unknown }).OriginRequestPolicyConfig).toMatchObject({
      HeadersConfig: { HeaderBehavior: 'allViewerAndWhitelistCloudFront', Headers: ['CloudFront-Viewer-Address'] },
      CookiesConfig: { CookieBehavior: 'all' },
      QueryStringsConfig: { QueryStringBehavior: 'all' },
    });
    // an account export may take 120 s at the gateway: CloudFront waits at least a minute
    expect(c.Parameters.GatewayReadTimeout).toMatchObject({ Default: 60, MaxValue: 180 });
    expect(dist().Origins.find((o) => o.Id === 'gateway')!.CustomOriginConfig!.OriginReadTimeout).toEqual({ Ref: 'GatewayReadTimeout' });
  });

  test('the page\'s routes get index.html, exactly those the gateway\'s static server answers with it (the function runs here)', () => {
    const [[fnName, fn]] = ofType(c, 'AWS::CloudFront::Function') as [[string, Res]];
    expect(fn.Properties).toMatchObject({ AutoPublish: true, FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
    const handler = new Function(`${fn.Properties.FunctionCode as string}\nreturn handler;`)() as (e: { request: { uri: string } }) => { uri: string };
    const rewritten = (uri: string) => uri !== '/index.html' && handler({ request: { uri } }).uri === '/index.html';
    // one sample per alternative of the gateway's CLIENT_ROUTE, so a screen added there and not here fails
    const source = /const CLIENT_ROUTE = \/\^\\\/\(\?:([^)]*)\)\\\/\?\$\/;/.exec(text('services/gateway/src/http/static.ts'));
    expect(source).not.toBeNull();
    const samples = source![1]!.split('|').map((alt) => `/${alt.replace(/\[\^\/\]\+/g, 'K7Q2').replace(/\\\//g, '/')}`);
    expect(samples.length).toBeGreaterThan(6);
    const others = ['/index.html', '/app-XKXLITO6.js', '/assets/pieces/standard.svg', '/room', '/room/a/b', '/friendsx', '/api/live', '/ws', '/config.json', '//'];
    for (const p of [...samples, ...samples.map((s) => `${s}/`), ...others]) {
      expect({ p, rewritten: rewritten(p) }).toEqual({ p, rewritten: isClientRoute(p) });
    }
    expect(samples.filter(rewritten).length).toBe(samples.length);
    // on the default behaviour, before the cache: /, /room/X, ... share index.html's one cache entry
    expect(dist().DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnName, 'FunctionARN'] } }]);
  });

  test('the WAF: CLOUDFRONT scope, AWS\'s common, known-bad-inputs and IP reputation groups enforcing, a per-address rate rule that blocks', () => {
    const [[, acl]] = ofType(c, 'AWS::WAFv2::WebACL') as [[string, Res]];
    const p = acl.Properties as { Scope: string; DefaultAction: unknown; Rules: { Name: string; Priority: number; OverrideAction?: unknown; Action?: { Block?: unknown }; Statement: Record<string, Record<string, unknown>> }[] };
    expect(p.Scope).toBe('CLOUDFRONT');
    expect(p.DefaultAction).toEqual({ Allow: {} });
    const managed = p.Rules.filter((r) => r.Statement.ManagedRuleGroupStatement);
    expect(managed.map((r) => r.Statement.ManagedRuleGroupStatement!.Name).sort()).toEqual(['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
    for (const r of managed) {
      expect(r.Statement.ManagedRuleGroupStatement!.VendorName).toBe('AWS');
      expect({ r: r.Name, override: r.OverrideAction }).toEqual({ r: r.Name, override: { None: {} } }); // the groups' own actions: block, not count
      expect(r.Statement.ManagedRuleGroupStatement!.RuleActionOverrides).toBeUndefined();
    }
    const [rate] = p.Rules.filter((r) => r.Statement.RateBasedStatement);
    expect(rate!.Statement.RateBasedStatement).toEqual({ Limit: { Ref: 'RateLimitPer5Minutes' }, EvaluationWindowSec: 300, AggregateKeyType: 'IP' });
    expect(rate!.Action!.Block).toMatchObject({ CustomResponse: { ResponseCode: 429 } });
    const limit = c.Parameters.RateLimitPer5Minutes!;
    expect(limit.Default).toBeGreaterThanOrEqual(100); // a busy player's page loads, reconnects and API calls stay below it
    expect(limit.Default).toBeLessThanOrEqual(10_000);
    expect(new Set(p.Rules.map((r) => r.Priority)).size).toBe(p.Rules.length);
  });

  test('the deploy step of docs/deploy-eks.md: us-east-1, hashed files with the year\'s Cache-Control before index.html, then the invalidation of index.html and the config file', () => {
    const doc = text('docs/deploy-eks.md');
    expect(doc).toMatch(/aws cloudformation deploy --region us-east-1 --stack-name gambit-site --template-file infra\/aws\/site\.yaml/);
    const immutable = doc.indexOf("--include 'app-*.js' --include 'app-*.css'");
    const page = doc.indexOf('aws s3 cp web/dist/index.html');
    expect(immutable).toBeGreaterThan(0);
    expect(page).toBeGreaterThan(immutable);
    expect(doc.slice(immutable, immutable + 200)).toContain("--cache-control 'public, max-age=31536000, immutable'");
    expect(doc.slice(page, page + 200)).toContain('--cache-control no-cache');
    expect(doc).toContain(`aws cloudfront create-invalidation --distribution-id "$DIST_ID" --paths /index.html ${c.Parameters.ConfigPath!.Default as string}`);
    // the outputs it reads are the stack's
    for (const o of doc.matchAll(/SITE_OUT (\w+)/g)) expect(Object.keys(c.Outputs)).toContain(o[1]);
  });

  test('outputs for the deploy step, and every reference resolves', () => {
    expect(c.Outputs.BucketName!.Value).toEqual({ Ref: bucketName });
    expect(c.Outputs.DistributionId!.Value).toEqual({ Ref: 'Distribution' });
    expect(c.Outputs.DistributionDomainName!.Value).toEqual({ 'Fn::GetAtt': ['Distribution', 'DomainName'] });
    expect(references(c).length).toBeGreaterThan(5);
    expect(danglingReferences(c)).toEqual([]);
  });
});

describe('the audit trail: EKS control-plane logs and VPC flow logs, each with a retention', () => {
  type Logging = { cloudWatch: { clusterLogging: { enableTypes: string[]; logRetentionInDays: number } } };
  const logging = (f: string) => (parseYaml(text(f)) as Logging).cloudWatch.clusterLogging;

  test.each(['infra/eksctl/cluster.yaml', 'infra/eksctl/cluster-lean.yaml'])('%s: the api, audit and authenticator logs, kept a CloudWatch retention of 30 days or more', (f) => {
    const l = logging(f);
    expect(l.enableTypes).toEqual(expect.arrayContaining(['api', 'audit', 'authenticator']));
    expect(RETENTIONS).toContain(l.logRetentionInDays);
    expect(l.logRetentionInDays).toBeGreaterThanOrEqual(30);
  });

  const c = template('infra/aws/flow-logs.yaml');

  test('flow logs: the VPC given, to a CloudWatch log group with that retention (default as the control-plane logs\')', () => {
    const [[, flow]] = ofType(c, 'AWS::EC2::FlowLog') as [[string, Res]];
    const [[groupName, group]] = ofType(c, 'AWS::Logs::LogGroup') as [[string, Res]];
    const [[roleName]] = ofType(c, 'AWS::IAM::Role') as [[string, Res]];
    expect(flow.Properties).toMatchObject({
      ResourceType: 'VPC', ResourceId: { Ref: 'VpcId' }, LogDestinationType: 'cloud-watch-logs', LogGroupName: { Ref: groupName },
      DeliverLogsPermissionArn: { 'Fn::GetAtt': [roleName, 'Arn'] }, TrafficType: { Ref: 'TrafficType' },
    });
    expect([60, 600]).toContain(flow.Properties.MaxAggregationInterval);
    expect(c.Parameters.VpcId!.Type).toBe('AWS::EC2::VPC::Id');
    expect(c.Parameters.TrafficType!.Default).toBe('ALL');
    expect(group.Properties.RetentionInDays).toEqual({ Ref: 'RetentionInDays' });
    const retention = c.Parameters.RetentionInDays!;
    expect(retention.AllowedValues).toEqual(RETENTIONS);
    expect(retention.Default).toBe(logging('infra/eksctl/cluster.yaml').logRetentionInDays);
    expect(group.DeletionPolicy).toBe('Retain');
  });

  test('the record format names real flow log fields only', () => {
    const [[, flow]] = ofType(c, 'AWS::EC2::FlowLog') as [[string, Res]];
    // the fields of flow log versions 2 to 5 (AWS's documentation)
    const FIELDS = new Set(['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status',
      'vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr', 'region', 'az-id', 'sublocation-type', 'sublocation-id', 'pkt-src-aws-service',
      'pkt-dst-aws-service', 'flow-direction', 'traffic-path']);
    const format = flow.Properties.LogFormat as string;
    const fields = format.split(' ').map((f) => /^\$\{([a-z-]+)\}$/.exec(f)?.[1]);
    expect(fields.filter((f) => !f || !FIELDS.has(f))).toEqual([]);
    // the default format's fields come first, in its order, so the usual queries still parse
    expect(fields.slice(0, 14)).toEqual(['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status']);
  });

  test('the Logs Insights query of docs/operations.md parses records of this format', () => {
    const [[, flow]] = ofType(c, 'AWS::EC2::FlowLog') as [[string, Res]];
    const fields = (flow.Properties.LogFormat as string).split(' ');
    const query = /parse @message "([* ]+)" as ([^|]+)\|/.exec(text('docs/operations.md').replace(/\n\s*/g, ' '));
    expect(query).not.toBeNull();
    expect(query![1]!.trim().split(' ')).toHaveLength(fields.length);
    const names = query![2]!.split(',').map((n) => n.trim());
    expect(names).toHaveLength(fields.length);
    // the names the query filters on sit where the format puts those fields
    expect(fields[names.indexOf('action')]).toBe('${action}');
    expect(fields[names.indexOf('direction')]).toBe('${flow-direction}');
    expect(fields[names.indexOf('pktsrc')]).toBe('${pkt-srcaddr}');
  });

  test('the role: only the flow logs service of this account, writing to that group only', () => {
    const [[, role]] = ofType(c, 'AWS::IAM::Role') as [[string, Res]];
    const trust = (role.Properties.AssumeRolePolicyDocument as { Statement: { Principal: unknown; Action: string; Condition: Record<string, Record<string, unknown>> }[] }).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]!.Principal).toEqual({ Service: 'vpc-flow-logs.amazonaws.com' });
    expect(trust[0]!.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(trust[0]!.Condition.ArnLike!['aws:SourceArn']).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*' });
    const statements = (role.Properties.Policies as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    for (const s of statements) {
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      if (actions.includes('logs:PutLogEvents')) expect(s.Resource).toEqual({ 'Fn::GetAtt': ['FlowLogGroup', 'Arn'] });
      else expect(actions).toEqual(['logs:DescribeLogGroups']);
      expect(s.Resource).not.toBe('*');
    }
    expect(references(c).length).toBeGreaterThan(5);
    expect(danglingReferences(c)).toEqual([]);
  });
});

describe('supply chain: ECR scans on push, the workflow scans every image before it pushes any', () => {
  /** The images scripts/build-images.sh builds (its ALL list). */
  const images = /^ALL=\(([^)]+)\)$/m.exec(text('scripts/build-images.sh'))![1]!.trim().split(/\s+/);

  test('infra/aws/ecr.yaml: a repository per image, under the deploy role\'s gambit/*, immutable tags, scanned on push, the old ones expiring', () => {
    expect(images.length).toBeGreaterThanOrEqual(7);
    const c = template('infra/aws/ecr.yaml');
    const repos = ofType(c, 'AWS::ECR::Repository').map(([, r]) => r.Properties);
    expect(repos.map((r) => r.RepositoryName).sort()).toEqual(images.map((n) => `gambit/${n}`).sort());
    for (const r of repos) {
      expect(r).toMatchObject({ ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: { ScanOnPush: true }, EncryptionConfiguration: { EncryptionType: 'AES256' } });
      // the lifecycle rule is JSON ECR accepts once KeepImages is filled in
      const sub = (r.LifecyclePolicy as { LifecyclePolicyText: { 'Fn::Sub': string } }).LifecyclePolicyText['Fn::Sub'];
      const rules = (JSON.parse(sub.replace(/\$\{KeepImages\}/g, '30')) as { rules: { selection: { countType: string; countNumber: number }; action: { type: string } }[] }).rules;
      expect(rules).toEqual([expect.objectContaining({ selection: expect.objectContaining({ countType: 'imageCountMoreThan', countNumber: 30 }), action: { type: 'expire' } })]);
    }
    // the deploy role pushes to exactly that prefix
    expect(text('infra/iam/github-deploy-policy.json')).toContain(':repository/gambit/*');
    expect(references(c).length).toBeGreaterThan(5);
    expect(danglingReferences(c)).toEqual([]);
  });

  type Step = { name?: string; uses?: string; run?: string; with?: Record<string, string | boolean> };
  const wf = () => parseYaml(text('.github/workflows/ci.yml')) as { jobs: Record<string, { steps: Step[] }> };

  test('the deploy job builds, then Trivy fails it on a CRITICAL with a fix in any image, and only then come credentials and the push', () => {
    const steps = wf().jobs.deploy!.steps;
    const at = (pred: (s: Step) => boolean) => steps.findIndex(pred);
    const build = at((s) => !!s.run?.includes('scripts/build-images.sh'));
    const push = at((s) => !!s.run?.includes('docker push'));
    const credentials = at((s) => !!s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(build).toBeGreaterThanOrEqual(0);
    expect(steps[build]!.run).not.toContain('--push'); // the build itself pushes nothing
    for (const name of images) {
      const scan = at((s) => !!s.uses?.startsWith('aquasecurity/trivy-action@') && s.with?.['image-ref'] === `\${{ env.REGISTRY }}/gambit/${name}:\${{ env.TAG }}`);
      expect({ name, scanned: scan >= 0 }).toEqual({ name, scanned: true });
      expect({ name, afterBuild: scan > build, beforeCredentials: scan < credentials, beforePush: scan < push }).toEqual({ name, afterBuild: true, beforeCredentials: true, beforePush: true });
      expect(steps[scan]!.with).toMatchObject({ severity: 'CRITICAL', 'exit-code': '1', 'ignore-unfixed': true });
      // a pinned Trivy, not whatever the action defaults to
      expect(steps[scan]!.with!.version).toMatch(/^v\d+\.\d+\.\d+$/);
    }
    // the push pushes the scanned images, all of them, and nothing else pushes
    const pushed = /for name in ([^;]+); do\s+docker push "\$REGISTRY\/gambit\/\$name:\$TAG"/.exec(steps[push]!.run!);
    expect(pushed?.[1]!.trim().split(/\s+/)).toEqual(images);
    expect(steps.filter((s) => /docker push|--push/.test(s.run ?? '')).length).toBe(1);
    expect(credentials).toBeLessThan(push);
    // the TAG scanned is the TAG pushed and deployed
    expect(steps[build]!.run).toContain('--registry "$REGISTRY" --tag "$TAG"');
  });

  test('the test job installs the offline checkers these tests use (pinned versions)', () => {
    const run = wf().jobs.test!.steps.map((s) => s.run ?? '').join('\n');
    expect(run).toMatch(/pipx install cfn-lint==\d+\.\d+\.\d+/);
    expect(run).toMatch(/go install github\.com\/rhysd\/actionlint\/cmd\/actionlint@v\d+\.\d+\.\d+/);
    const steps = wf().jobs.test!.steps;
    expect(steps.findIndex((s) => s.run?.includes('cfn-lint') ?? false)).toBeLessThan(steps.findIndex((s) => s.run === 'make test'));
  });
});

// actionlint (Go; `go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12`, as the workflow's
// test job does) is no dependency of the repository: it runs where it is installed, with shellcheck
// over the run: scripts when that is installed too, and is skipped, saying so, elsewhere.
const actionlint = spawnSync('actionlint', ['-version'], { encoding: 'utf8' }).status === 0;
(actionlint ? describe : describe.skip)('actionlint over the workflow (where actionlint is installed)', () => {
  const lint = (f: string) => spawnSync('actionlint', ['-no-color', f], { encoding: 'utf8' });

  test('.github/workflows/ci.yml: no findings', () => {
    const r = lint(join(root, '.github/workflows/ci.yml'));
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('a broken copy is refused (the check can fail)', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'gambit-actionlint-')), 'ci.yml');
    writeFileSync(broken, text('.github/workflows/ci.yml').replace('${{ env.TAG }}', '${{ env.TAG }'));
    expect(lint(broken).status).not.toBe(0);
  });
});

// cfn-lint runs over every template of infra/aws in infra.test.ts; these show it refuses the new
// templates' typical mistakes, each with the error of that mistake (the copies linted in one run).
(cfnLintInstalled ? describe : describe.skip)('cfn-lint refuses broken copies of the new templates (where cfn-lint is installed)', () => {
  // template, text, its broken form, the rule it breaks, the bad value the error names
  const mistakes = [
    ['infra/aws/site.yaml', 'Scope: CLOUDFRONT', 'Scope: GLOBAL', 'E3030', 'GLOBAL'],
    ['infra/aws/site.yaml', 'EvaluationWindowSec: 300', 'EvaluationWindowSec: 301', 'E3030', '301'],
    ['infra/aws/site.yaml', 'CachePolicyId: { Ref: ImmutableCachePolicy }', 'CachePolicyId: { Ref: ImmutableCachePolicies }', 'E1020', 'ImmutableCachePolicies'],
    ['infra/aws/flow-logs.yaml', 'LogDestinationType: cloud-watch-logs', 'LogDestinationType: cloudwatch', 'E3030', 'cloudwatch'],
    ['infra/aws/ecr.yaml', 'ImageTagMutability: IMMUTABLE', 'ImageTagMutability: FROZEN', 'E3030', 'FROZEN'],
  ] as const;
  let dir = '';
  let copies: string[] = [];
  let errors = new Map<string, string[]>();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gambit-cfn-'));
    copies = writeBrokenCopies(dir, mistakes);
    errors = cfnLintErrors(copies);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test.each(mistakes.map((m, i) => [...m, i] as const))('%s with %s as %s', (f, from, to, rule, bad, i) => {
    const { source, found, pattern } = mistakeError([f, from, to, rule, bad], copies[i]!, errors);
    expect(source).toContain(from);
    // an error of that rule on the line changed, naming the bad value
    expect(found).toContainEqual(expect.stringMatching(pattern));
  });
});
