// Who is behind a `hello`: a token signed with Gambit's own key (a guest token from POST
// /api/guest, or a session token from the accounts service) or an OIDC token, told apart by issuer.
// A session token names its session (`sid`): it is accepted only while that session exists, so
// signing out ends its tokens at once, not when they expire.
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { TOKEN_ISSUER, type Identity, type SocketTokens } from '@gambit/common';
import type { OidcVerifier } from './oidc.js';

export { SocketTokens, type Identity } from '@gambit/common';
export { OidcVerifier, type OidcSettings } from './oidc.js';

export const guestRequest = z.object({ name: z.string().trim().min(1).max(24).regex(/^[^\p{C}]+$/u, 'no control characters').optional() }).strict();

/** Whether a browser session still exists (Redis). */
export type SessionCheck = (sid: string) => Promise<boolean>;

export class Authenticator {
  constructor(
    readonly tokens: SocketTokens | null,
    private readonly oidc: OidcVerifier | null,
    private readonly sessionExists: SessionCheck = async () => false,
    /** Bare guest tokens (no session) accepted: GUEST_TOKENS. */
    private readonly bareGuests = true,
  ) {}

  async verify(token: string): Promise<Identity | null> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return null;
    }
    if (iss === TOKEN_ISSUER) {
      const claims = this.tokens ? await this.tokens.verify(token) : null;
      if (!claims) return null;
      if (claims.sid) return (await this.sessionExists(claims.sid)) ? { playerId: claims.playerId, name: claims.name, session: claims.sid } : null;
      return this.bareGuests ? { playerId: claims.playerId, name: claims.name } : null;
    }
    if (this.oidc && iss === this.oidc.issuer) return this.oidc.verify(token);
    return null;
  }
}
