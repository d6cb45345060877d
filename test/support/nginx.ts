// A real nginx (Debian's `nginx` package; make system-deps and CI install it) serving a folder as a
// static host serves the built page: its files, index.html for every other path (the page's
// routes), config.json and index.html never cached. Started by the test itself: in the foreground
// (`daemon off`), unprivileged (as `nobody` when the test runs as root), its configuration, pid
// file, logs and temporary files in a folder of its own, on the ports the test chose. Stopped by
// its process id (its process group: the master and its worker), and the folder removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface Nginx {
  /** `http://127.0.0.1:PORT` for each port, in the order given. */
  origins: string[];
  /** The access log so far (one line per request: method, path, status). */
  accessLog(): Promise<string[]>;
  stop(): Promise<void>;
}

/** The nginx binary: NGINX_PATH, else Debian's /usr/sbin/nginx (not on a normal user's PATH), else `nginx` on PATH. */
export function nginxBinary(): string | null {
  if (process.env.NGINX_PATH) return existsSync(process.env.NGINX_PATH) ? process.env.NGINX_PATH : null;
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(p)) return p;
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'nginx'))) return join(dir, 'nginx');
  return null;
}

/** uid and gid of `nobody` (from /etc/passwd), for a test run as root. */
function nobody(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return { uid: Number(uid ?? 65534), gid: Number(gid ?? 65534) };
}

/**
 * The page's folder opened to nginx running as nobody: only that folder itself (a mkdtemp folder is
 * 0700; what the build writes inside is readable already), and only a test's own temporary folder.
 */
async function openToNobody(root: string): Promise<void> {
  const inside = relative(tmpdir(), resolve(root));
  if (!inside || inside.startsWith('..') || isAbsolute(inside) || !/^gambit-[^/]+$/.test(inside.split(sep)[0]!)) {
    throw new Error(`nginx as nobody serves only a test's own folder under ${tmpdir()}/gambit-*, not ${root}`);
  }
  await chmod(root, 0o755);
}

const conf = (prefix: string, root: string, ports: number[], token: string) => `# written by test/support/nginx.ts
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log notice;
events { worker_connections 256; }
http {
  types {
    text/html html; text/javascript js; text/css css; application/json json map; image/svg+xml svg;
    image/png png; application/wasm wasm; text/plain txt;
  }
  default_type application/octet-stream;
  charset utf-8;
  charset_types text/css text/javascript application/json;
  access_log ${prefix}/access.log;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  server {
${ports.map((p) => `    listen 127.0.0.1:${p};`).join('\n')}
    root ${root};
    # As infra/aws/site.yaml's cache rules: the page and its config checked on every load.
    location = /config.json { add_header Cache-Control no-cache; }
    location = /index.html { add_header Cache-Control no-cache; }
    location / { try_files $uri /index.html; }
    # Answers only this nginx: the test knows it listens, not someone else on the port.
    location = /.nginx-${token} { default_type text/plain; return 200 "${token}"; }
  }
}
`;

/**
 * Starts nginx serving `root` on 127.0.0.1 at each of `ports`. Fails with nginx's own words when
 * it is missing, refuses its configuration or cannot listen; nothing is left running then.
 */
export async function startNginx(root: string, ports: number[], timeoutMs = 10_000): Promise<Nginx> {
  const bin = nginxBinary();
  if (!bin) throw new Error(`nginx is not installed${process.env.NGINX_PATH ? ` at NGINX_PATH=${process.env.NGINX_PATH}` : ''}: apt-get install nginx (make system-deps installs it, as CI does), or set NGINX_PATH`);
  const prefix = await mkdtemp(join(tmpdir(), 'gambit-nginx-'));
  const token = randomBytes(12).toString('hex');
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? nobody() : null;
  let child: ChildProcess | null = null;
  const output: string[] = [];
  const said = async () => {
    const log = await readFile(join(prefix, 'error.log'), 'utf8').catch(() => '');
    return [...output, ...log.split('\n')].filter(Boolean).slice(-8).join(' | ') || 'nothing';
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM'); // fast shutdown: the master stops its worker and exits
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), 5_000); })]);
      clearTimeout(timer);
      if (!done) {
        try {
          process.kill(-c.pid!, 'SIGKILL'); // its process group: the master and its worker
        } catch { /* gone meanwhile */ }
        await exited;
      }
    }
    await rm(prefix, { recursive: true, force: true });
  };
  try {
    await mkdir(join(prefix, 'tmp'));
    await writeFile(join(prefix, 'nginx.conf'), conf(prefix, root, ports, token));
    if (user) {
      // The master runs as nobody too: it must read the page and write its own folder.
      await openToNobody(root);
      await chmod(prefix, 0o755);
      for (const p of [prefix, join(prefix, 'tmp'), join(prefix, 'nginx.conf')]) await chown(p, user.uid, user.gid);
    }
    // -e: the error log from the first line on (before the configuration names it); -g: foreground.
    const args = ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log'), '-g', 'daemon off;'];
    const check = spawn(bin, ['-t', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
    const checked = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
      let text = '';
      check.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
      check.stderr!.on('data', (d: Buffer) => { text += d.toString(); });
      check.once('error', reject);
      check.once('exit', (code) => resolve({ code, text }));
    });
    if (checked.code !== 0) throw new Error(`nginx -t refused the configuration: ${checked.text.trim()}`);
    const c = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...(user ?? {}) });
    child = c;
    const keep = (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean));
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    const failed = new Promise<never>((_, reject) => {
      c.once('error', (err) => reject(new Error(`nginx (${bin}) could not be started: ${err.message}`)));
      c.once('exit', (code, signal) => void said().then((s) => reject(new Error(`nginx exited at start (${signal ?? `code ${code}`}): ${s}`))));
    });
    failed.catch(() => undefined); // read by the race below; an exit after a good start is not an error here
    const deadline = Date.now() + timeoutMs;
    // Ours on every port: a port someone took between choosing and binding answers something else
    // (nginx keeps trying to bind it for a few seconds, then exits saying so).
    for (const port of ports) {
      for (;;) {
        if (await Promise.race([failed, answers(port, token)])) break;
        if (Date.now() > deadline) throw new Error(`nginx did not answer on 127.0.0.1:${port} in ${timeoutMs} ms: ${await said()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    origins: ports.map((p) => `http://127.0.0.1:${p}`),
    accessLog: async () => (await readFile(join(prefix, 'access.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean),
    stop,
  };
}

/** Whether this nginx (its token) answers on `port`. */
async function answers(port: number, token: string): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/.nginx-${token}`, { signal: AbortSignal.timeout(1_000) });
    return (await res.text()) === token;
  } catch {
    return false;
  }
}
