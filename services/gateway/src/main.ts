import { ConfigError, startTracing } from '@gambit/common';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './app.js';

try {
  const config = loadGatewayConfig();
  const tracing = await startTracing('gateway'); // off unless OTEL_* asks (docs/configuration.md)
  const gateway = await startGateway(config);
  process.once('SIGTERM', () => void gateway.drain().then(() => tracing.shutdown()).then(() => process.exit(0)));
  process.once('SIGINT', () => void gateway.close().then(() => tracing.shutdown()).then(() => process.exit(0)));
} catch (err) {
  console.error(err instanceof ConfigError ? `gateway: ${err.message}` : err);
  process.exit(1);
}
