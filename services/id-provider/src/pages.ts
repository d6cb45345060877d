// The provider's own pages: sign in, sign up, signing out, errors. Plain server-rendered HTML that
// reads well on a phone; every piece of user text goes through `esc`. Pure: strings in, HTML out.
import { USERNAME_RULE } from '@gambit/protocol';
import { PASSWORD_MAX, PASSWORD_MIN, EMAIL_MAX } from './rules.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f3f1ec;color:#222}
main{max-width:24rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input{width:100%;padding:.55rem;font:inherit;border:1px solid #999;border-radius:4px}
button{width:100%;margin-top:1.2rem;padding:.65rem;font:inherit;font-weight:600;border:0;border-radius:4px;background:#3b6e2f;color:#fff;cursor:pointer}
.hint{font-size:.85rem;color:#555;margin:.2rem 0 0}.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:4px}
.alt{margin-top:1.2rem;text-align:center}a{color:#2a5a9e}
@media (max-width:26rem){main{margin:0;border-radius:0;min-height:100vh}}`;

export function layout(title: string, body: string, script?: { nonce: string; code: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Gambit</title><style>${STYLE}</style></head>
<body><main>${body}</main>${script ? `<script nonce="${esc(script.nonce)}">${script.code}</script>` : ''}</body></html>`;
}

const errorBox = (error?: string) => (error ? `<p class="error" role="alert">${esc(error)}</p>` : '');

export interface SignInView { action: string; signUpHref: string; csrf: string; username?: string; error?: string }

export function signInPage(v: SignInView): string {
  return layout('Sign in', `<h1>Sign in to Gambit</h1>${errorBox(v.error)}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf" value="${esc(v.csrf)}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required maxlength="64" value="${esc(v.username ?? '')}"${v.username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="${PASSWORD_MAX}"${v.username ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>
<p class="alt">New here? <a href="${esc(v.signUpHref)}">Create an account</a></p>`);
}

export interface SignUpView { action: string; signInHref: string; csrf: string; username?: string; email?: string; error?: string }

export function signUpPage(v: SignUpView): string {
  return layout('Create an account', `<h1>Create a Gambit account</h1>${errorBox(v.error)}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf" value="${esc(v.csrf)}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required minlength="3" maxlength="20" value="${esc(v.username ?? '')}" autofocus>
<p class="hint">${esc(USERNAME_RULE)}. Other players see it.</p>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${PASSWORD_MIN}" maxlength="${PASSWORD_MAX}">
<p class="hint">At least ${PASSWORD_MIN} characters, not your username.</p>
<label for="email">Email (optional)</label>
<input id="email" name="email" type="email" autocomplete="email" maxlength="${EMAIL_MAX}" value="${esc(v.email ?? '')}">
<p class="hint">Never shown to other players.</p>
<p>Finished games are public, as on lichess.</p>
<button type="submit">Create account</button>
</form>
<p class="alt">Have an account? <a href="${esc(v.signInHref)}">Sign in</a></p>`);
}

/**
 * Signing out: oidc-provider's form (its own anti-forgery token inside) plus `logout=yes`. When
 * the request is one the client made for this very session, the form submits itself; otherwise
 * the player is asked.
 */
export function signOutPage(form: string, auto: { nonce: string } | null): string {
  const withLogout = form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>');
  const body = `<h1>Sign out of Gambit</h1>${withLogout}
<p>${auto ? 'Signing you out…' : 'Do you want to sign out?'}</p>
<button type="submit" form="op.logoutForm">Sign out</button>`;
  return layout('Sign out', body, auto ? { nonce: auto.nonce, code: 'document.getElementById("op.logoutForm").submit()' } : undefined);
}

export function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${esc(title)}</h1><p>${esc(message)}</p>`);
}
