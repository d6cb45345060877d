// Guest identities: tokens the gateway signs itself. Asymmetric (ES256 or EdDSA) with a key from a
// Kubernetes Secret, so the public half can verify anywhere and keys can rotate: the signing key's
// thumbprint is the `kid`, and older public keys stay accepted while tokens signed by them live.
// HS256 with a shared secret remains for the simplest setups.
import { SignJWT, calculateJwkThumbprint, exportJWK, importPKCS8, importSPKI, jwtVerify, decodeProtectedHeader, type CryptoKey, type JWTPayload } from 'jose';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { z } from 'zod';

export interface Identity { playerId: string; name: string }

export const GUEST_ISSUER = 'gambit';
const AUDIENCE = 'gambit-ws';

export const guestRequest = z.object({ name: z.string().trim().min(1).max(24).regex(/^[^\p{C}]+$/u, 'no control characters').optional() }).strict();

interface VerifyKey { kid: string; key: CryptoKey | Uint8Array; alg: string }

export class GuestTokens {
  private constructor(
    private readonly signing: VerifyKey,
    private readonly verifying: Map<string, VerifyKey>,
    private readonly ttlSeconds: number,
  ) {}

  /** From a PKCS8 PEM private key (EC P-256 or Ed25519) plus older public keys (SPKI PEMs) still accepted. */
  static async fromPem(privatePem: string, olderPublicPems: string[], ttlSeconds: number): Promise<GuestTokens> {
    const alg = algOf(privatePem);
    const priv = await importPKCS8(privatePem, alg);
    const publicPem = createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();
    const own = await verifyKey(publicPem);
    const verifying = new Map<string, VerifyKey>([[own.kid, own]]);
    for (const pem of olderPublicPems) {
      const k = await verifyKey(pem);
      verifying.set(k.kid, k);
    }
    return new GuestTokens({ kid: own.kid, key: priv, alg }, verifying, ttlSeconds);
  }

  static fromSecret(secret: string, ttlSeconds: number): GuestTokens {
    const key = { kid: 'hs256', key: new TextEncoder().encode(secret), alg: 'HS256' };
    return new GuestTokens(key, new Map([[key.kid, key]]), ttlSeconds);
  }

  async issue(name?: string): Promise<Identity & { token: string }> {
    const playerId = `g_${randomBytes(9).toString('base64url')}`;
    const finalName = name ?? `guest-${randomBytes(2).toString('hex')}`;
    const token = await new SignJWT({ name: finalName, kind: 'guest' })
      .setProtectedHeader({ alg: this.signing.alg, kid: this.signing.kid }).setSubject(playerId).setIssuer(GUEST_ISSUER)
      .setAudience(AUDIENCE).setIssuedAt().setExpirationTime(`${this.ttlSeconds}s`).sign(this.signing.key);
    return { token, playerId, name: finalName };
  }

  /** The identity in a guest token, or null for anything forged, expired, of an unknown key or malformed. */
  async verify(token: string): Promise<Identity | null> {
    try {
      const k = this.verifying.get(decodeProtectedHeader(token).kid ?? '');
      if (!k) return null;
      const { payload } = await jwtVerify(token, k.key, { issuer: GUEST_ISSUER, audience: AUDIENCE, algorithms: [k.alg] });
      return identityOf(payload);
    } catch {
      return null;
    }
  }
}

function identityOf(payload: JWTPayload): Identity | null {
  if (typeof payload.sub !== 'string' || typeof payload.name !== 'string') return null;
  return { playerId: payload.sub, name: payload.name };
}

function algOf(pem: string): 'ES256' | 'EdDSA' {
  const type = createPrivateKey(pem).asymmetricKeyType;
  if (type === 'ec') return 'ES256';
  if (type === 'ed25519') return 'EdDSA';
  throw new Error(`guest token keys must be EC P-256 or Ed25519, not ${type}`);
}

async function verifyKey(publicPem: string): Promise<VerifyKey> {
  const type = createPublicKey(publicPem).asymmetricKeyType;
  const alg = type === 'ec' ? 'ES256' : type === 'ed25519' ? 'EdDSA' : null;
  if (!alg) throw new Error(`guest token keys must be EC P-256 or Ed25519, not ${type}`);
  const key = await importSPKI(publicPem, alg);
  return { kid: await calculateJwkThumbprint(await exportJWK(key)), key, alg };
}
