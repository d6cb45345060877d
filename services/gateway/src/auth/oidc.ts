// Players signed in elsewhere (Amazon Cognito or any OIDC provider): JWTs verified against the
// provider's JWKS, fetched and refreshed by jose (an unknown `kid` triggers a refetch: rotation).
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Identity } from '@gambit/common';

export interface OidcSettings {
  issuer: string;
  /** ID tokens: `aud`; Cognito access tokens carry the app client id in `client_id` instead. */
  audience: string;
  jwksUrl?: string;
  /** Cognito's `token_use` claim: accept only this kind (id or access); unset: do not check. */
  tokenUse?: 'id' | 'access';
  /** Minimum time between JWKS refetches (ms). */
  cooldownMs?: number;
}

export class OidcVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly s: OidcSettings) {
    const url = new URL(s.jwksUrl ?? `${s.issuer.replace(/\/$/, '')}/.well-known/jwks.json`);
    this.jwks = createRemoteJWKSet(url, { cooldownDuration: s.cooldownMs ?? 30_000, timeoutDuration: 5_000 });
  }

  get issuer(): string {
    return this.s.issuer;
  }

  async verify(token: string): Promise<Identity | null> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, { issuer: this.s.issuer, algorithms: ['RS256', 'ES256'] });
      if (!this.audienceMatches(payload)) return null;
      if (this.s.tokenUse && payload.token_use !== this.s.tokenUse) return null;
      if (typeof payload.sub !== 'string') return null;
      const name = [payload.name, payload['cognito:username'], payload.preferred_username, payload.username]
        .find((v): v is string => typeof v === 'string' && v.length > 0) ?? payload.sub.slice(0, 8);
      return { playerId: `oidc:${payload.sub}`, name: name.slice(0, 24) };
    } catch {
      return null;
    }
  }

  private audienceMatches(p: JWTPayload): boolean {
    const aud = Array.isArray(p.aud) ? p.aud : p.aud === undefined ? [] : [p.aud];
    return aud.includes(this.s.audience) || p.client_id === this.s.audience;
  }
}
