// When the gateway speaks TLS to players, and when it may not: the conditions the Service, its NLB
// annotations, the helm test and NOTES share, and the check that refuses a public plaintext Service
// (issue 17: TLS by default). Pure: conditions over the values, no objects.
import type { Binding, Cond } from './binding.js';
import type { Values } from './values.js';

const LB = '(eq .Values.gateway.service.type "LoadBalancer")';
const TLS_ON = `(and ${LB} .Values.gateway.nlb.enabled .Values.gateway.nlb.certificateArn)`;
const PUBLIC = `(or (eq .Values.gateway.service.type "NodePort") (and ${LB} (not (and .Values.gateway.nlb.enabled (eq .Values.gateway.nlb.scheme "internal")))))`;

/** TLS ends at the NLB: a LoadBalancer Service annotated for the AWS controller, with an ACM certificate. */
export const tlsOn = (v: Values): boolean => v.gateway.service.type === 'LoadBalancer' && v.gateway.nlb.enabled && v.gateway.nlb.certificateArn !== '';
/** Reachable from outside the cluster: NodePort, or a load balancer that is not an internal NLB. */
export const isPublic = (v: Values): boolean =>
  v.gateway.service.type === 'NodePort' || (v.gateway.service.type === 'LoadBalancer' && !(v.gateway.nlb.enabled && v.gateway.nlb.scheme === 'internal'));
/** The plain port (gateway.service.port) exists: no TLS, or the operator kept it on purpose. */
export const plainPort = (v: Values): boolean => !tlsOn(v) || v.gateway.tls.allowPlaintext;

export function tlsConds(b: Binding): { tls: Cond; plain: Cond; publicPlain: Cond } {
  const tls = { helm: TLS_ON, literal: tlsOn(b.values) };
  const plain = { helm: `(or (not ${TLS_ON}) .Values.gateway.tls.allowPlaintext)`, literal: plainPort(b.values) };
  // what NOTES warns about: plaintext that players outside the cluster can reach
  const publicPlain = { helm: `(and ${PUBLIC} ${plain.helm})`, literal: isPublic(b.values) && plainPort(b.values) };
  return { tls, plain, publicPlain };
}

/** Checks for gambit.validate (helm.ts): the Helm condition, its TypeScript twin, the message. */
export const TLS_VALIDATIONS: { helm: string; literal: (v: Values) => boolean; message: string }[] = [
  {
    helm: `(and ${PUBLIC} (not ${TLS_ON}) (not .Values.gateway.tls.allowPlaintext))`,
    literal: (v) => isPublic(v) && !tlsOn(v) && !v.gateway.tls.allowPlaintext,
    message: 'the gateway Service is public (gateway.service.type LoadBalancer or NodePort) without TLS: set gateway.nlb.certificateArn (an ACM certificate: https:// and wss:// at the NLB), or use gateway.service.type=ClusterIP behind a TLS ingress of your own, or set gateway.tls.allowPlaintext=true to serve http:// and ws:// in clear on purpose',
  },
  {
    helm: `(and .Values.accounts.enabled ${TLS_ON} (hasPrefix "http://" .Values.accounts.publicUrl))`,
    literal: (v) => v.accounts.enabled && tlsOn(v) && v.accounts.publicUrl.startsWith('http://'),
    message: 'accounts.publicUrl must be https:// when the gateway serves TLS (gateway.nlb.certificateArn): it is the sign-in redirect and makes the session cookies Secure',
  },
];

/** The same conditions as Helm text, for NOTES.txt. */
export const TLS_HELM = {
  on: TLS_ON,
  publicPlain: `(and ${PUBLIC} (or (not ${TLS_ON}) .Values.gateway.tls.allowPlaintext))`,
};
