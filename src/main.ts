import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { EmbeddedPostgresError } from './platform/db/embedded-postgres';

/** Boot only: config → app → signals. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  // Loaded only after the configuration is valid: a bad variable is reported at once,
  // without first loading the whole server.
  const { startApp } = require('./app') as typeof import('./app');
  const app = await startApp(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    app.stop().then(
      () => process.exit(0),
      (error) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * A start-up failure the operator can fix (a taken port, a folder out of reach) is one line
 * that says what to do; anything else keeps its stack for whoever debugs it.
 */
function startupFailure(error: unknown): string | null {
  return error instanceof EmbeddedPostgresError ? error.message : null;
}

main().catch((error) => {
  const known = startupFailure(error);
  console.error(known ?? error ?? 'Start-up failed for an unknown reason');
  process.exit(1);
});
