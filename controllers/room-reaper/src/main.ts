// The room-reaper process: configuration in, controller out, SIGTERM releases the Lease.
import { ConfigError } from '@gambit/common';
import { loadControllerConfig } from './config.js';
import { kubeConfigFor } from './kube/client.js';
import { startController } from './app.js';

try {
  const config = loadControllerConfig();
  const kubeConfig = config.KUBERNETES === 'off' ? null : kubeConfigFor(config.KUBERNETES);
  const controller = await startController(config, { kubeConfig });
  const stop = () => void controller.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? `room-reaper: ${err.message}` : err);
  process.exit(1);
}
