// The accounts service's routes (behind the gateway, same origin as the page) plus health,
// readiness and metrics. Plain node:http like the finalizer's read API: a dozen routes need no framework.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Counter, type Registry } from '@gambit/common';
import { callback, signOut, startSignIn } from './auth.js';
import { deleteAccount, exportAccount, getAccount, lookup, renameAccount, session } from './account.js';
import type { Ctx } from './context.js';
import { changeFriend, listFriends } from './friends.js';
import { HttpError, json } from './respond.js';

type Handler = (ctx: Ctx, req: IncomingMessage, res: ServerResponse, param: string) => Promise<void>;

const ROUTES: [method: string, path: RegExp, name: string, handler: Handler][] = [
  ['GET', /^\/auth\/login$/, 'login', (c, q, s) => startSignIn(c, q, s, false)],
  ['GET', /^\/auth\/signup$/, 'signup', (c, q, s) => startSignIn(c, q, s, true)],
  ['GET', /^\/auth\/callback$/, 'callback', callback],
  ['POST', /^\/auth\/logout$/, 'logout', signOut],
  ['POST', /^\/api\/session$/, 'session', session],
  ['GET', /^\/api\/account$/, 'account', getAccount],
  ['PATCH', /^\/api\/account$/, 'rename', renameAccount],
  ['DELETE', /^\/api\/account$/, 'delete', deleteAccount],
  ['GET', /^\/api\/account\/export$/, 'export', exportAccount],
  ['GET', /^\/api\/users\/([^/]+)$/, 'user', (c, _q, s, name) => lookup(c, s, name)],
  ['GET', /^\/api\/friends$/, 'friends', listFriends],
  ['POST', /^\/api\/friends\/([^/]+)$/, 'friend', changeFriend],
];

export function createAccountsServer(ctx: Ctx, registry: Registry, ready: () => Promise<boolean>): Server {
  const requests = new Counter({ name: 'gambit_accounts_requests_total', help: 'Accounts API requests by route and status', labelNames: ['route', 'status'], registers: [registry] });
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let route = 'none';
    const answer = async (): Promise<void> => {
      if (path === '/healthz') return json(res, 200, { ok: true });
      if (path === '/readyz') return json(res, (await ready()) ? 200 : 503, {});
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType });
        return void res.end(await registry.metrics());
      }
      const matches = ROUTES.filter(([, re]) => re.test(path));
      if (!matches.length) throw new HttpError(404, 'not_found', `No route for ${path}.`);
      const hit = matches.find(([m]) => m === req.method || (m === 'GET' && req.method === 'HEAD'));
      if (!hit) throw new HttpError(405, 'method_not_allowed', `Use ${matches.map(([m]) => m).join(' or ')}.`);
      route = hit[2];
      let param: string;
      try {
        param = decodeURIComponent(hit[1].exec(path)?.[1] ?? '');
      } catch {
        throw new HttpError(400, 'bad_request', 'The path is not valid percent-encoding.');
      }
      await hit[3](ctx, req, res, param);
    };
    answer().catch((err: unknown) => {
      if (res.headersSent) return void res.end();
      if (err instanceof HttpError) return json(res, err.status, { error: err.code, message: err.message });
      ctx.log.error({ err, route }, 'accounts request failed');
      json(res, 500, { error: 'internal', message: 'Something went wrong here. Try again.' });
    }).finally(() => requests.inc({ route, status: String(res.statusCode) }));
  });
}
