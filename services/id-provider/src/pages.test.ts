// The pages escape what players typed and carry what the flows need.
import { describe, expect, test } from '@jest/globals';
import { esc, signInPage, signOutPage, signUpPage } from './pages.js';

const hostile = `"><script>alert('x')</script>&`;

describe('pages', () => {
  test('esc covers the five HTML-significant characters', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  test('typed values and messages are escaped on both forms', () => {
    const a = signInPage({ action: '/interaction/u/login', signUpHref: '/interaction/u/signup', csrf: 't', username: hostile, error: hostile });
    const b = signUpPage({ action: '/interaction/u/signup', signInHref: '/interaction/u/login', csrf: 't', username: hostile, email: hostile, error: hostile });
    for (const html of [a, b]) {
      expect(html).not.toContain('<script>');
      expect(html).toContain('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;');
    }
  });

  test('sign-up states that finished games are public; sign-in links to sign-up', () => {
    expect(signUpPage({ action: 'a', signInHref: 'b', csrf: 't' })).toContain('Finished games are public, as on lichess.');
    expect(signInPage({ action: 'a', signUpHref: '/interaction/u/signup', csrf: 't' })).toContain('href="/interaction/u/signup"');
  });

  test('the sign-out form gains logout=yes, and submits itself only when told to', () => {
    const form = '<form id="op.logoutForm" method="post" action="/session/end/confirm"><input type="hidden" name="xsrf" value="s"/></form>';
    const auto = signOutPage(form, { nonce: 'n1' });
    expect(auto).toContain('<input type="hidden" name="logout" value="yes"></form>');
    expect(auto).toContain('<script nonce="n1">');
    expect(signOutPage(form, null)).not.toContain('<script');
  });
});
