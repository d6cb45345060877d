// A real coturn (Debian's `turnserver`) for one test file: TURN and STUN on a free port of
// 127.0.0.1, the TURN REST scheme with a secret made here (use-auth-secret), relay ports in a small
// free-looking range, loopback peers allowed (both browsers are on this machine), no TLS, no
// config file. The gateway hands out credentials signed with the same secret.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { freePort } from './ports.js';
import { waitFor } from './redis.js';

export interface Coturn {
  port: number;
  secret: string;
  realm: string;
  /** The gateway settings that hand out this server (TURN_URLS, TURN_SECRET, STUN_URLS). */
  gatewayEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startCoturn(): Promise<Coturn> {
  const port = await freePort();
  const secret = randomBytes(24).toString('hex');
  const realm = 'gambit.test';
  // Relay ports: 200 of them above the listening port's thousand (tests use a handful).
  const min = 40_000 + (port % 20) * 1_000;
  const args = [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`, '--use-auth-secret', `--static-auth-secret=${secret}`,
    `--realm=${realm}`, '--allow-loopback-peers', '--no-cli', '--no-tls', '--no-dtls', `--min-port=${min}`, `--max-port=${min + 199}`,
    '--no-software-attribute', '--log-file=stdout', '--simple-log',
  ];
  const proc = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (d: Buffer) => { log.push(...d.toString().split('\n').filter(Boolean)); if (log.length > 200) log.splice(0, log.length - 200); };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  // Listening once a TCP connection to its port is taken (it listens on TCP and UDP alike).
  await waitFor(() => new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  }), 10_000, `turnserver did not listen on ${port} (is coturn installed? apt-get install coturn). Its log: ${log.slice(-5).join(' | ')}`);
  return {
    port, secret, realm,
    gatewayEnv: { TURN_URLS: `turn:127.0.0.1:${port}?transport=udp,turn:127.0.0.1:${port}?transport=tcp`, TURN_SECRET: secret, STUN_URLS: `stun:127.0.0.1:${port}` },
    async stop() {
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}
