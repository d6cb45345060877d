// The finalizer process: config from the environment, then run until SIGTERM/SIGINT.
import 'reflect-metadata';
import { ConfigError, startTracing, type Tracing } from '@gambit/common';
import { startFinalizer } from './app.js';
import { loadFinalizerConfig, type FinalizerConfig } from './config.js';

let config: FinalizerConfig;
let tracing: Tracing;
try {
  config = loadFinalizerConfig();
  tracing = await startTracing('finalizer'); // off unless OTEL_* asks (docs/configuration.md)
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

const finalizer = await startFinalizer(config).catch((err: unknown) => {
  console.error(`finalizer failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1); // a second signal: stop now
    stopping = true;
    finalizer.close().then(() => tracing.shutdown()).then(() => process.exit(0), () => process.exit(1));
  });
}
