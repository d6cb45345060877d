// The settings for a page served from another origin (PAGE_ORIGINS, SESSION_SAMESITE): checked at start.
import { describe, expect, it } from '@jest/globals';
import { loadAccountsConfig } from './config.js';

const base = {
  PUBLIC_URL: 'https://api.example.com', OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_ID: 'gambit', OIDC_CLIENT_SECRET: 's',
  TOKEN_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----', FINALIZER_URL: 'http://finalizer:8082',
};

describe('accounts settings for a page on another origin', () => {
  it('defaults: the page on PUBLIC_URL, a Lax cookie', () => {
    expect(loadAccountsConfig(base)).toMatchObject({ PAGE_ORIGINS: [], SESSION_SAMESITE: 'lax' });
  });

  it('PAGE_ORIGINS: origins as browsers send them, in order', () => {
    expect(loadAccountsConfig({ ...base, PAGE_ORIGINS: 'https://chess.example.com, http://127.0.0.1:8081' }).PAGE_ORIGINS)
      .toEqual(['https://chess.example.com', 'http://127.0.0.1:8081']);
    expect(() => loadAccountsConfig({ ...base, PAGE_ORIGINS: 'https://chess.example.com/' })).toThrow(/PAGE_ORIGINS=.*is not an origin/);
    expect(() => loadAccountsConfig({ ...base, PAGE_ORIGINS: 'chess.example.com' })).toThrow(/PAGE_ORIGINS=.*is not an origin/);
  });

  it('SESSION_SAMESITE=none only with an https PUBLIC_URL', () => {
    expect(loadAccountsConfig({ ...base, SESSION_SAMESITE: 'none' }).SESSION_SAMESITE).toBe('none');
    expect(() => loadAccountsConfig({ ...base, PUBLIC_URL: 'http://127.0.0.1:8080', SESSION_SAMESITE: 'none' }))
      .toThrow(/SESSION_SAMESITE=.*none needs an https PUBLIC_URL/);
    expect(() => loadAccountsConfig({ ...base, SESSION_SAMESITE: 'strict' })).toThrow(/SESSION_SAMESITE/);
  });
});
