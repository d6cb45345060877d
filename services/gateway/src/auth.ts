// Guest identities: signed HS256 tokens (jose). A deployment can swap this for OIDC (JWKS) later.
import { SignJWT, jwtVerify } from 'jose';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export interface Identity { playerId: string; name: string }

export const guestRequest = z.object({ name: z.string().trim().min(1).max(24).regex(/^[^\p{C}]+$/u, 'no control characters').optional() }).strict();

const ISSUER = 'gambit';
const AUDIENCE = 'gambit-ws';

export class Tokens {
  private readonly key: Uint8Array;
  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = new TextEncoder().encode(secret);
  }

  async issueGuest(name?: string): Promise<Identity & { token: string }> {
    const playerId = `g_${randomBytes(9).toString('base64url')}`;
    const finalName = name ?? `guest-${randomBytes(2).toString('hex')}`;
    const token = await new SignJWT({ name: finalName, kind: 'guest' })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(playerId).setIssuer(ISSUER).setAudience(AUDIENCE)
      .setIssuedAt().setExpirationTime(`${this.ttlSeconds}s`).sign(this.key);
    return { token, playerId, name: finalName };
  }

  /** The identity in a token, or null for anything forged, expired or malformed. */
  async verify(token: string): Promise<Identity | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.name !== 'string') return null;
      return { playerId: payload.sub, name: payload.name };
    } catch {
      return null;
    }
  }
}
