// The client's address for the gateway's per-address limits (sockets per address, joins a minute)
// and for the services behind it (x-forwarded-for). The connection's own address, unless the
// gateway is told to trust CloudFront's `CloudFront-Viewer-Address` (TRUST_CLOUDFRONT_VIEWER_ADDRESS):
// behind CloudFront every connection comes from an edge server, so without it one edge's players
// share one budget. Trusting it is safe only when nothing but CloudFront can reach the gateway
// (the load balancer's security group lets in CloudFront's origin-facing addresses alone): anyone
// else could send the header and pick an address per request.
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The address in a CloudFront-Viewer-Address value: `198.51.100.10:46532`, or an IPv6 address
 * with the port after its last colon (`2001:db8::1:46532`, unbracketed), or `[2001:db8::1]:46532`.
 * Null when it is not one of those.
 */
export function viewerAddress(value: string | string[] | undefined): string | null {
  if (typeof value !== 'string') return null; // absent, or sent twice: not CloudFront's
  const v = value.trim();
  const bracketed = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(v);
  if (bracketed) return isIP(bracketed[1]!) === 6 ? bracketed[1]! : null;
  const i = v.lastIndexOf(':');
  if (i <= 0 || !/^\d{1,5}$/.test(v.slice(i + 1))) return null;
  const ip = v.slice(0, i);
  return isIP(ip) ? ip : null;
}

export type ClientAddress = (req: IncomingMessage) => string;

export function clientAddress(trustCloudFront: boolean): ClientAddress {
  return (req) => (trustCloudFront ? viewerAddress(req.headers['cloudfront-viewer-address']) : null) ?? req.socket.remoteAddress ?? 'unknown';
}
