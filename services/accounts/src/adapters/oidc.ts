// The relying party: openid-client 6 against any standard issuer (Cognito, the embedded provider,
// Auth0, Keycloak). Authorization code with PKCE (S256), state and nonce; the code exchange happens
// here, server side, so no token ever reaches a page script.
import * as oidc from 'openid-client';

export interface ProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  redirectUri: string;
  postLogoutUri: string;
  allowHttp: boolean;
  /** Whether the provider understands prompt=create (the sign-up page). */
  promptCreate: boolean;
  /** Sign-out at a provider whose discovery names none (Cognito's /logout, which takes client_id and logout_uri). */
  endSessionUrl?: string;
}

export interface SignedIn {
  issuer: string;
  sub: string;
  claims: Record<string, unknown>;
  idToken: string;
}

export class Provider {
  private constructor(private readonly config: oidc.Configuration, private readonly s: ProviderSettings) {}

  /** Discovery (/.well-known/openid-configuration); fails loudly at start when the issuer does not answer. */
  static async discover(s: ProviderSettings): Promise<Provider> {
    const options = s.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined;
    const config = await oidc.discovery(new URL(s.issuer), s.clientId, s.clientSecret, oidc.ClientSecretBasic(s.clientSecret), options);
    return new Provider(config, s);
  }

  /** Where to send the browser, and what to remember until it comes back. */
  async authorizationUrl(opts: { signUp: boolean }): Promise<{ url: URL; state: string; verifier: string; nonce: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(this.config, {
      redirect_uri: this.s.redirectUri, scope: this.s.scopes, state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      // OpenID Connect's prompt=create: providers that support it open their sign-up page.
      ...(opts.signUp && this.s.promptCreate ? { prompt: 'create' } : {}),
    });
    return { url, state, verifier, nonce };
  }

  /** The callback: code for tokens (checking state, nonce and PKCE), then who signed in. */
  async finish(callbackUrl: URL, expected: { state: string; verifier: string; nonce: string }): Promise<SignedIn> {
    const tokens = await oidc.authorizationCodeGrant(this.config, callbackUrl, {
      expectedState: expected.state, expectedNonce: expected.nonce, pkceCodeVerifier: expected.verifier, idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new Error('the provider sent no ID token');
    return { issuer: String(claims.iss), sub: claims.sub, claims: claims as Record<string, unknown>, idToken: tokens.id_token };
  }

  /** RP-initiated logout at the provider, returning to the site; null if the provider has no end_session_endpoint. */
  endSessionUrl(idToken: string | undefined): URL | null {
    if (this.s.endSessionUrl) {
      const url = new URL(this.s.endSessionUrl);
      url.searchParams.set('client_id', this.s.clientId);
      url.searchParams.set('logout_uri', this.s.postLogoutUri);
      return url;
    }
    if (!this.config.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(this.config, {
      post_logout_redirect_uri: this.s.postLogoutUri, client_id: this.s.clientId, ...(idToken ? { id_token_hint: idToken } : {}),
    });
  }
}
