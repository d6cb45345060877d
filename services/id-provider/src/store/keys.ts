// Every Redis key the id-provider writes, under `${KEY_PREFIX}:idp:` so it shares a Redis with the
// rest of Gambit without touching its keys.
export interface IdpKeys {
  /** Hash of one account: username (as typed), passwordHash, email, createdAt (ms). */
  account(sub: string): string;
  /** The sub holding a username (lower-cased): claimed with SET NX, so one name has one owner. */
  username(nameKey: string): string;
  /** Failed sign-ins counted within the window, per typed username and per client address. */
  failuresByAccount(nameKey: string): string;
  failuresByAddress(address: string): string;
  /** oidc-provider's stored models (Session, Interaction, Grant, AuthorizationCode, ...). */
  model(name: string, id: string): string;
  /** Keys of the tokens and codes issued under one grant, to revoke them together. */
  grant(grantId: string): string;
  sessionUid(uid: string): string;
  userCode(code: string): string;
}

export function idpKeys(prefix: string): IdpKeys {
  const p = `${prefix}:idp`;
  return {
    account: (sub) => `${p}:account:${sub}`,
    username: (k) => `${p}:username:${k}`,
    failuresByAccount: (k) => `${p}:fail:account:${k}`,
    failuresByAddress: (a) => `${p}:fail:address:${a}`,
    model: (name, id) => `${p}:oidc:${name}:${id}`,
    grant: (id) => `${p}:oidc:grant-index:${id}`,
    sessionUid: (uid) => `${p}:oidc:session-uid:${uid}`,
    userCode: (code) => `${p}:oidc:user-code:${code}`,
  };
}
