// The ID token signing key: a PEM private key (from a Secret) as the private JWK oidc-provider's
// `jwks` wants, with the algorithm its type implies. PKCS8, or the SEC1 / PKCS1 forms Helm's
// genPrivateKey writes (-----BEGIN EC PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY-----). No I/O.
import { createHash, createPrivateKey, type JsonWebKey } from 'node:crypto';

export type SigningAlg = 'ES256' | 'RS256';
export type SigningJwk = JsonWebKey & { kid: string; alg: SigningAlg; use: 'sig' };

/** EC P-256 signs ES256, RSA (2048 bits or more) RS256; anything else is refused with the reason. */
export function signingJwk(pem: string): SigningJwk {
  if (!/-----BEGIN (EC |RSA )?PRIVATE KEY-----/.test(pem)) throw new Error('must be a PEM private key (-----BEGIN PRIVATE KEY-----, EC PRIVATE KEY or RSA PRIVATE KEY)');
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error('is not a readable PEM private key');
  }
  let alg: SigningAlg;
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') alg = 'ES256';
  else if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) alg = 'RS256';
  else throw new Error('must be an EC P-256 or an RSA (2048 bits or more) key');
  const jwk = key.export({ format: 'jwk' });
  return { ...jwk, kid: thumbprint(jwk), alg, use: 'sig' };
}

/** RFC 7638 thumbprint of the public members: a `kid` that changes exactly when the key does. */
function thumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}
