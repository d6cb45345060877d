// A browser without a page, for sign-in flows in integration tests: one cookie jar across origins
// (by host, as browsers do for one host on several ports), redirects followed by hand so each hop
// can be checked, HTML forms read and submitted. Enough for the provider's and accounts' pages.
export interface Hop { url: string; status: number; location: string | null; body: string }

export class HttpBrowser {
  private readonly jar = new Map<string, string>();

  constructor(private readonly origin: string) {}

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }


  /** Request one URL (no redirects followed); Origin is this browser's site for non-GET, unless given. */
  async request(url: string, init: { method?: string; body?: string | URLSearchParams; headers?: Record<string, string> } = {}): Promise<Hop & { res: Response }> {
    const headers = new Headers(init.headers);
    if (this.jar.size) headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const method = init.method ?? 'GET';
    if (method !== 'GET' && !headers.has('origin')) headers.set('origin', new URL(url).origin);
    if (typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const res = await fetch(url, { method, headers, redirect: 'manual', ...(init.body !== undefined ? { body: init.body } : {}) });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (gone) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const location = res.headers.get('location');
    const body = await res.clone().text();
    return { url, status: res.status, location: location ? new URL(location, url).href : null, body, res };
  }

  /** GET `url` and follow redirects; every hop is returned, the last one is the page landed on. */
  async follow(url: string, init: { method?: string; body?: string | URLSearchParams } = {}, maxHops = 12): Promise<Hop[]> {
    const hops: Hop[] = [];
    let next: { url: string; init: typeof init } | null = { url, init };
    while (next && hops.length < maxHops) {
      const hop = await this.request(next.url, next.init);
      hops.push(hop);
      next = hop.location && hop.status >= 300 && hop.status < 400 ? { url: hop.location, init: {} } : null;
    }
    return hops;
  }

  /** The first form of an HTML page: its absolute action and its fields (hidden ones filled). */
  static form(html: string, pageUrl: string): { action: string; fields: Record<string, string> } {
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (!form) throw new Error(`no form on ${pageUrl}:\n${html.slice(0, 500)}`);
    const fields: Record<string, string> = {};
    for (const m of form[2]!.matchAll(/<input[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(m[0])?.[1];
      if (name) fields[name] = unescape(/value="([^"]*)"/.exec(m[0])?.[1] ?? '');
    }
    return { action: new URL(unescape(form[1]!), pageUrl).href, fields };
  }

  get site(): string {
    return this.origin;
  }

  /**
   * Signs `username` up at the site's provider through /auth/signup and the provider's own form, as
   * a person would; afterwards this browser holds the site's session cookie. Returns the URL the
   * site sent it to (`returnTo`).
   */
  async signUp(username: string, password: string, returnTo = '/'): Promise<string> {
    const page = (await this.follow(`${this.origin}/auth/signup?return=${encodeURIComponent(returnTo)}`)).at(-1)!;
    if (page.status !== 200) throw new Error(`sign-up page: HTTP ${page.status} at ${page.url}`);
    const form = HttpBrowser.form(page.body, page.url);
    const done = await this.follow(form.action, { method: 'POST', body: new URLSearchParams({ ...form.fields, username, password }) });
    return done.at(-1)!.url;
  }
}

function unescape(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x2F;/g, '/');
}

