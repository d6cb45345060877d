// TLS by default (issue 17): the chart refuses a public gateway Service without TLS unless the
// operator allows plaintext on purpose (and NOTES then warns); with an ACM certificate the NLB
// serves https:// and wss:// on 443 only, and the accounts' site origin must be https. Real helm.
import { describe, expect, test } from '@jest/globals';
import { PLAINTEXT, chartDir, helm, named, profileFiles, render, renderNotes, type Container, type K8sObject } from './support.js';

const CERT = 'gateway.nlb.certificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/abc';
const A = 'service.beta.kubernetes.io/aws-load-balancer-';
type Svc = K8sObject & { spec: { type: string; ports: { name: string; port: number; nodePort?: number }[] } };
const service = (objects: K8sObject[]) => named(objects, 'Service', 'gambit-gateway') as Svc;
const testUrl = (objects: K8sObject[]) => (named(objects, 'Pod', 'gambit-test-ping') as K8sObject & { spec: { containers: Container[] } }).spec.containers[0]!.env![0]!.value;
const template = (set: string[]) => helm(['template', 'gambit', chartDir, ...set.flatMap((s) => ['--set', s])]);
const REFUSED = 'the gateway Service is public (gateway.service.type LoadBalancer or NodePort) without TLS: set gateway.nlb.certificateArn';

describe('a public Service without TLS is refused', () => {
  test.each([
    [[]],
    [['gateway.service.type=NodePort']],
    [['gateway.nlb.enabled=false']], // a LoadBalancer without the AWS annotations: public on any cloud
    [['gateway.nlb.enabled=false', CERT]], // the certificate only works through the AWS controller
  ])('%j fails with a message naming the ways out', (set) => {
    const r = template(set);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(REFUSED);
    expect(r.stderr).toContain('gateway.tls.allowPlaintext=true');
  });

  test.each([
    [['gateway.service.type=ClusterIP']], // TLS at an ingress of the operator's own
    [['gateway.nlb.scheme=internal']], // inside the VPC only
    [[CERT]],
    [[PLAINTEXT]],
  ])('%j renders', (set) => {
    const r = template(set);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('with TLS the accounts\' site must be https (sign-in redirect, Secure cookies)', () => {
    const accounts = ['accounts.enabled=true', 'idProvider.enabled=true', 'idProvider.issuer=https://id.chess.example.com'];
    const r = template([CERT, ...accounts, 'accounts.publicUrl=http://chess.example.com']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('accounts.publicUrl must be https:// when the gateway serves TLS');
    expect(template([CERT, ...accounts, 'accounts.publicUrl=https://chess.example.com']).status).toBe(0);
  });
});

describe('TLS at the NLB (ACM certificate)', () => {
  test('the EKS profile: 443 only, the certificate and policy on the NLB, the helm test through 443', () => {
    const objects = render({ files: profileFiles.eks });
    const svc = service(objects);
    const a = svc.metadata.annotations!;
    expect(svc.spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'http' }]);
    expect(a[`${A}ssl-cert`]).toMatch(/^arn:aws:acm:eu-west-1:123456789012:certificate\//);
    expect(a[`${A}ssl-ports`]).toBe('443');
    expect(a[`${A}ssl-negotiation-policy`]).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
    // no plain listener, so no idle timeout for one (AWS fixes the TLS listener's at 350 s)
    expect(Object.keys(a).filter((k) => k.includes('listener-attributes'))).toEqual([]);
    // inside the cluster every Service port reaches the pods' plain 8080
    expect(testUrl(objects)).toBe('http://gambit-gateway:443');
    const lean = service(render({ files: profileFiles.lean }));
    expect(lean.spec.ports.map((p) => p.port)).toEqual([443]);
  });

  test('allowPlaintext keeps the plain port (and its listener settings) next to 443', () => {
    const objects = render({ files: profileFiles.eks, set: [PLAINTEXT] });
    const svc = service(objects);
    expect(svc.spec.ports.map((p) => [p.name, p.port])).toEqual([['http', 80], ['https', 443]]);
    expect(svc.metadata.annotations![`${A}listener-attributes.TCP-80`]).toBe('tcp.idle_timeout.seconds=350');
    expect(testUrl(objects)).toBe('http://gambit-gateway:80');
  });

  test('the EKS profile\'s site origin is https (the accounts\' PUBLIC_URL once they are on)', () => {
    const o = render({ files: profileFiles.eks, set: ['accounts.enabled=true', 'accounts.oidc.issuer=https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC', 'accounts.oidc.clientId=c', 'accounts.oidc.existingSecret=s'] });
    expect((named(o, 'ConfigMap', 'gambit-accounts') as unknown as { data: Record<string, string> }).data.PUBLIC_URL).toBe('https://chess.example.com');
  });
});

describe('NOTES', () => {
  const WARNING = 'WARNING: gateway.tls.allowPlaintext=true: players reach the gateway over plain http:// and ws://';

  test('warns when plaintext is allowed on a public Service, with the port players use', () => {
    const kind = renderNotes(['-f', profileFiles.kind[0]!]);
    expect(kind).toContain(WARNING);
    expect(kind).toContain('(NodePort Service, port 30080)');
    const lb = renderNotes(['--set', PLAINTEXT]);
    expect(lb).toContain(WARNING);
    expect(lb).toContain('(LoadBalancer Service, port 80)');
    expect(renderNotes(['-f', profileFiles.eks[0]!, '--set', PLAINTEXT])).toContain(WARNING);
  });

  test('no warning under TLS or off the public network; https:// and wss:// to play under TLS', () => {
    const eks = renderNotes(['-f', profileFiles.eks[0]!]);
    expect(eks).not.toContain('WARNING');
    expect(eks).toContain('open https://YOUR-NAME/');
    expect(eks).toContain('the socket is wss://YOUR-NAME/ws');
    expect(eks).not.toContain('open http://');
    expect(renderNotes(['--set', 'gateway.service.type=ClusterIP'])).not.toContain('WARNING');
    expect(renderNotes(['--set', 'gateway.nlb.scheme=internal'])).not.toContain('WARNING');
  });
});
