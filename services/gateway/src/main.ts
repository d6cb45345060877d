import { ConfigError } from '@gambit/common';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './app.js';

try {
  const gateway = await startGateway(loadGatewayConfig());
  process.once('SIGTERM', () => void gateway.drain().then(() => process.exit(0)));
  process.once('SIGINT', () => void gateway.close().then(() => process.exit(0)));
} catch (err) {
  console.error(err instanceof ConfigError ? `gateway: ${err.message}` : err);
  process.exit(1);
}
