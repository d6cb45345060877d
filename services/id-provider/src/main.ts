// The id-provider process: settings from the environment, then serve until SIGTERM or SIGINT.
import { ConfigError } from '@gambit/common';
import { loadIdProviderConfig } from './config.js';
import { startIdProvider } from './app.js';

try {
  const idp = await startIdProvider(loadIdProviderConfig());
  const stop = () => void idp.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? `id-provider: ${err.message}` : err);
  process.exit(1);
}
