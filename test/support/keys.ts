import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

/** A fresh ES256 key pair's private half (PKCS8 PEM), as a Secret would hold it. */
export function devSigningKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The public half (SPKI PEM) of a private PEM. */
export function publicOf(privatePem: string): string {
  return createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();
}
