// Who is behind a `hello`: a guest token this gateway issued, or an OIDC token, told apart by issuer.
import { decodeJwt } from 'jose';
import { GUEST_ISSUER, type GuestTokens, type Identity } from './guest.js';
import type { OidcVerifier } from './oidc.js';

export { GuestTokens, guestRequest, type Identity } from './guest.js';
export { OidcVerifier, type OidcSettings } from './oidc.js';

export class Authenticator {
  constructor(readonly guests: GuestTokens | null, private readonly oidc: OidcVerifier | null) {}

  async verify(token: string): Promise<Identity | null> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return null;
    }
    if (iss === GUEST_ISSUER) return this.guests ? this.guests.verify(token) : null;
    if (this.oidc && iss === this.oidc.issuer) return this.oidc.verify(token);
    return null;
  }
}
