// Socket tokens: what a browser or bot presents in `hello`. The gateway signs guest tokens itself
// (POST /api/guest); the accounts service signs short-lived ones for a browser session, guest or
// signed in, carrying the session id (`sid`) so a sign-out ends them at once. Both sign with the
// same key from one Kubernetes Secret. Asymmetric (ES256 or EdDSA), so keys can rotate: the signing
// key's thumbprint is the `kid`, and older public keys stay accepted while tokens signed by them
// live. HS256 with a shared secret remains for the simplest setups.
import { SignJWT, calculateJwkThumbprint, exportJWK, importPKCS8, importSPKI, jwtVerify, decodeProtectedHeader, type CryptoKey, type JWTPayload } from 'jose';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

export interface Identity {
  playerId: string;
  name: string;
  /** The browser session behind a session token (its handle): the gateway closes the socket when it ends. */
  session?: string;
}

/** Who a token speaks for: a guest or a signed-in user, and for session tokens the session. */
export interface TokenClaims extends Identity {
  kind: 'guest' | 'user';
  /** The browser session the token was issued to (accounts service); absent on bare guest tokens. */
  sid?: string;
}

export const TOKEN_ISSUER = 'gambit';
const AUDIENCE = 'gambit-ws';

interface VerifyKey { kid: string; key: CryptoKey | Uint8Array; alg: string }

export class SocketTokens {
  private constructor(
    private readonly signing: VerifyKey,
    private readonly verifying: Map<string, VerifyKey>,
    private readonly ttlSeconds: number,
  ) {}

  /** From a PKCS8 PEM private key (EC P-256 or Ed25519) plus older public keys (SPKI PEMs) still accepted. */
  static async fromPem(privatePem: string, olderPublicPems: string[], ttlSeconds: number): Promise<SocketTokens> {
    const alg = algOf(privatePem);
    const priv = await importPKCS8(privatePem, alg);
    const publicPem = createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();
    const own = await verifyKey(publicPem);
    const verifying = new Map<string, VerifyKey>([[own.kid, own]]);
    for (const pem of olderPublicPems) {
      const k = await verifyKey(pem);
      verifying.set(k.kid, k);
    }
    return new SocketTokens({ kid: own.kid, key: priv, alg }, verifying, ttlSeconds);
  }

  static fromSecret(secret: string, ttlSeconds: number): SocketTokens {
    const key = { kid: 'hs256', key: new TextEncoder().encode(secret), alg: 'HS256' };
    return new SocketTokens(key, new Map([[key.kid, key]]), ttlSeconds);
  }

  /** A new guest identity (a fresh player id) and its token. */
  async issue(name?: string): Promise<Identity & { token: string }> {
    const playerId = newGuestId();
    const finalName = name ?? `guest-${randomBytes(2).toString('hex')}`;
    return { token: await this.sign({ playerId, name: finalName, kind: 'guest' }), playerId, name: finalName };
  }

  /** A token for an identity that exists already (a session's guest or user); `ttlSeconds` overrides the default. */
  async sign(claims: TokenClaims, ttlSeconds = this.ttlSeconds): Promise<string> {
    const extra = claims.sid ? { sid: claims.sid } : {};
    return new SignJWT({ name: claims.name, kind: claims.kind, ...extra })
      .setProtectedHeader({ alg: this.signing.alg, kid: this.signing.kid }).setSubject(claims.playerId).setIssuer(TOKEN_ISSUER)
      .setAudience(AUDIENCE).setIssuedAt().setExpirationTime(`${ttlSeconds}s`).sign(this.signing.key);
  }

  /** The claims of a token, or null for anything forged, expired, of an unknown key or malformed. */
  async verify(token: string): Promise<TokenClaims | null> {
    try {
      const k = this.verifying.get(decodeProtectedHeader(token).kid ?? '');
      if (!k) return null;
      const { payload } = await jwtVerify(token, k.key, { issuer: TOKEN_ISSUER, audience: AUDIENCE, algorithms: [k.alg] });
      return claimsOf(payload);
    } catch {
      return null;
    }
  }
}

/** A guest's player id: `g_` and 12 random base64url characters (a stored id, see @gambit/protocol ids). */
export const newGuestId = (): string => `g_${randomBytes(9).toString('base64url')}`;

function claimsOf(payload: JWTPayload): TokenClaims | null {
  if (typeof payload.sub !== 'string' || typeof payload.name !== 'string') return null;
  const kind = payload.kind === 'user' ? 'user' : 'guest';
  const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
  return { playerId: payload.sub, name: payload.name, kind, ...(sid ? { sid } : {}) };
}

function algOf(pem: string): 'ES256' | 'EdDSA' {
  const type = createPrivateKey(pem).asymmetricKeyType;
  if (type === 'ec') return 'ES256';
  if (type === 'ed25519') return 'EdDSA';
  throw new Error(`token keys must be EC P-256 or Ed25519, not ${type}`);
}

async function verifyKey(publicPem: string): Promise<VerifyKey> {
  const type = createPublicKey(publicPem).asymmetricKeyType;
  const alg = type === 'ec' ? 'ES256' : type === 'ed25519' ? 'EdDSA' : null;
  if (!alg) throw new Error(`token keys must be EC P-256 or Ed25519, not ${type}`);
  const key = await importSPKI(publicPem, alg);
  return { kid: await calculateJwkThumbprint(await exportJWK(key)), key, alg };
}
