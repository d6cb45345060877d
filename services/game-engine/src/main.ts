import 'reflect-metadata';
import { ConfigError } from '@gambit/common';
import { loadEngineConfig } from './config.js';
import { startEngine } from './app.js';

try {
  const engine = await startEngine(loadEngineConfig());
  const stop = () => void engine.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? `game-engine: ${err.message}` : err);
  process.exit(1);
}
