// Builds the browser client into web/dist: app.js + app.css (esbuild, minified, with source maps),
// index.html, and the cm-chessboard sprites it loads at run time (assets/).
// Usage: npm run -w web build   (or: node web/build.js [--watch])
import { build, context } from 'esbuild';
import { cp, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
// cm-chessboard has no "exports" map, so its package.json can be resolved directly.
const cmRoot = dirname(createRequire(import.meta.url).resolve('cm-chessboard/package.json'));

const options = {
  entryPoints: [
    { in: join(here, 'src/main.ts'), out: 'app' },
    { in: join(here, 'src/styles.css'), out: 'app' },
  ],
  outdir: dist,
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'info',
};

await mkdir(join(dist, 'assets/extensions/markers'), { recursive: true });
await cp(join(here, 'src/index.html'), join(dist, 'index.html'));
// Fetched by cm-chessboard at run time from assetsUrl ('assets/'), so they are copied, not bundled.
await cp(join(cmRoot, 'assets/pieces'), join(dist, 'assets/pieces'), { recursive: true });
await cp(join(cmRoot, 'assets/extensions/markers/markers.svg'), join(dist, 'assets/extensions/markers/markers.svg'));

if (process.argv.includes('--watch')) {
  await (await context(options)).watch();
} else {
  await build(options);
}
