import 'reflect-metadata';
import { ConfigError, startTracing } from '@gambit/common';
import { loadEngineConfig } from './config.js';
import { startEngine } from './app.js';

try {
  const config = loadEngineConfig();
  const tracing = await startTracing('game-engine'); // off unless OTEL_* asks (docs/configuration.md)
  const engine = await startEngine(config);
  const stop = () => void engine.close().then(() => tracing.shutdown()).then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? `game-engine: ${err.message}` : err);
  process.exit(1);
}
