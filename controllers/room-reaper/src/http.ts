// /metrics (Prometheus), /healthz (the process runs), /readyz (Redis reachable and, with
// Kubernetes, the pod list synced). A standby replica is ready: it is healthy and waiting.
import { createServer, type Server } from 'node:http';
import type { Registry } from '@gambit/common';

export function statusServer(registry: Registry, ready: () => { ok: boolean; why: string }): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/metrics') {
      registry.metrics().then((body) => {
        res.setHeader('content-type', registry.contentType);
        res.end(body);
      }, (err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    } else if (path === '/healthz') {
      res.end('ok');
    } else if (path === '/readyz') {
      const r = ready();
      res.statusCode = r.ok ? 200 : 503;
      res.end(r.ok ? 'ok' : r.why);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
}
