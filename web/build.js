// Builds the browser client into web/dist: app-<hash>.js + app-<hash>.css (esbuild, minified, with
// source maps; the hash in the name lets servers cache them for good), index.html naming them,
// the cm-chessboard sprites it loads at run time (assets/), and Stockfish for playing the computer
// (engine/stockfish-<hash>.js + .wasm: the `stockfish` package's lite single-threaded WASM build,
// GPL-3.0, run in a Web Worker; its path goes into the bundle as __STOCKFISH_URL__).
// It also writes config.json, where the page finds its server (src/server-origin.ts): {} (the page's
// own origin) unless --api-origin / GAMBIT_API_ORIGIN names the gateway's origin for a page served
// elsewhere (a CDN), and --socket-url / GAMBIT_SOCKET_URL a socket elsewhere still.
// Usage: npm run -w web build   (or: node web/build.js [--watch] [--outdir DIR] [--api-origin URL] [--socket-url URL];
// tests build into their own DIR)
import { build, context } from 'esbuild';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The value after `--name`, else the environment variable, else undefined. */
function option(name, envName) {
  const i = process.argv.indexOf(`--${name}`);
  if (i > 0) {
    const v = process.argv[i + 1];
    if (!v || v.startsWith('--')) throw new Error(`--${name} needs a value`);
    return v;
  }
  return (envName && process.env[envName]) || undefined;
}
const outArg = option('outdir');
const dist = outArg ? resolve(outArg) : join(here, 'dist');

/** config.json's content: checked here as the page checks it (src/server-origin.ts), so a typo fails the build. */
function serverConfig() {
  const api = option('api-origin', 'GAMBIT_API_ORIGIN');
  const socket = option('socket-url', 'GAMBIT_SOCKET_URL');
  const config = {};
  if (api !== undefined) {
    const url = new URL(api);
    if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username) {
      throw new Error(`--api-origin ${api}: an http(s) origin without a path, e.g. https://api.example.com`);
    }
    config.api = url.origin;
  }
  if (socket !== undefined) {
    const url = new URL(socket);
    if (!['ws:', 'wss:'].includes(url.protocol) || url.search || url.hash || url.username) {
      throw new Error(`--socket-url ${socket}: a ws(s) URL, e.g. wss://api.example.com/ws`);
    }
    config.socket = url.href;
  }
  return config;
}
// cm-chessboard and stockfish have no "exports" map, so their package.json can be resolved directly.
const cmRoot = dirname(createRequire(import.meta.url).resolve('cm-chessboard/package.json'));
const stockfishSrc = join(dirname(createRequire(import.meta.url).resolve('stockfish/package.json')), 'src');

/**
 * The engine the page runs: the package's lite single-threaded build (stockfish-<version>-lite-single-<id>.js
 * and its .wasm), which needs no SharedArrayBuffer and so no cross-origin isolation headers. Copied
 * as engine/stockfish-<hash>.{js,wasm}, the hash (8 of [A-Z2-7], like esbuild's) over both files:
 * the gateway caches such names for good, and the script and its .wasm always change together.
 * The worker script loads the .wasm of its own name.
 */
async function copyEngine() {
  const js = (await readdir(stockfishSrc)).find((f) => /-lite-single(?:-[0-9a-f]+)?\.js$/.test(f));
  if (!js) throw new Error(`no lite single-threaded engine in ${stockfishSrc}`);
  const code = await readFile(join(stockfishSrc, js));
  const wasm = await readFile(join(stockfishSrc, js.replace(/\.js$/, '.wasm')));
  const digest = createHash('sha256').update(code).update(wasm).digest();
  let hash = '';
  for (let i = 0; hash.length < 8; i++) hash += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[digest[i] % 32];
  await rm(join(dist, 'engine'), { recursive: true, force: true });
  await mkdir(join(dist, 'engine'));
  await writeFile(join(dist, 'engine', `stockfish-${hash}.js`), code);
  await writeFile(join(dist, 'engine', `stockfish-${hash}.wasm`), wasm);
  await writeFile(join(dist, 'engine', 'LICENSE.txt'), await readFile(join(stockfishSrc, '..', 'Copying.txt')));
  return `/engine/stockfish-${hash}.js`;
}

/** After each build: index.html gets the new bundle names, and bundles of earlier builds go. */
const page = {
  name: 'page',
  setup(b) {
    b.onEnd(async (result) => {
      if (result.errors.length || !result.metafile) return;
      const outputs = Object.keys(result.metafile.outputs).map((f) => basename(f));
      const js = outputs.find((f) => /^app-\w+\.js$/.test(f));
      const css = outputs.find((f) => /^app-\w+\.css$/.test(f));
      if (!js || !css) throw new Error(`build outputs lack the bundle: ${outputs.join(', ')}`);
      const html = await readFile(join(here, 'src/index.html'), 'utf8');
      await writeFile(join(dist, 'index.html'), html.replace('"/app.js"', `"/${js}"`).replace('"/app.css"', `"/${css}"`));
      for (const f of await readdir(dist)) {
        const bundle = /^(app(?:-\w+)?\.(?:js|css))(?:\.map|\.LEGAL\.txt)?$/.exec(f)?.[1];
        if (bundle && bundle !== js && bundle !== css) await rm(join(dist, f));
      }
    });
  },
};

const config = serverConfig();
await mkdir(dist, { recursive: true });
await writeFile(join(dist, 'config.json'), `${JSON.stringify(config)}\n`);
if (config.api || config.socket) console.log(`config.json: ${JSON.stringify(config)}`);
const engineUrl = await copyEngine();

const options = {
  entryPoints: [
    { in: join(here, 'src/main.tsx'), out: 'app' },
    { in: join(here, 'src/styles.css'), out: 'app' },
  ],
  outdir: dist,
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  metafile: true,
  define: { __STOCKFISH_URL__: JSON.stringify(engineUrl) },
  plugins: [page],
  logLevel: 'info',
};

await mkdir(join(dist, 'assets/extensions/markers'), { recursive: true });
// Fetched by cm-chessboard at run time from assetsUrl ('/assets/'), so they are copied, not bundled.
await cp(join(cmRoot, 'assets/pieces'), join(dist, 'assets/pieces'), { recursive: true });
await cp(join(cmRoot, 'assets/extensions/markers/markers.svg'), join(dist, 'assets/extensions/markers/markers.svg'));

if (process.argv.includes('--watch')) {
  await (await context(options)).watch();
} else {
  await build(options);
}
