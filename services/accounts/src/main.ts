// The accounts service's process: settings from the environment (a bad one stops it naming the
// setting), then app.ts wires and starts everything; SIGTERM and SIGINT close it.
import { ConfigError } from '@gambit/common';
import { loadAccountsConfig } from './config.js';
import { startAccounts } from './app.js';

try {
  const accounts = await startAccounts(loadAccountsConfig());
  const stop = () => void accounts.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? `accounts: ${err.message}` : `accounts: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
