import 'reflect-metadata';
import pino from 'pino';
import { InvalidArgumentError } from 'commander';
import { controlMigrations } from '../../migrations/control';
import { ConfigError, loadConfig, type Config } from '../config';
import { tenantSchema } from '../app';
import { AppError } from '../platform/errors';
import { createLogger, type Logger } from '../platform/logger';
import { withDatabase } from '../platform/db/connection-url';
import { embeddedPostgresUrl, isPortOpen, startEmbeddedPostgres } from '../platform/db/embedded-postgres';
import { startTenancy, type Tenancy } from '../platform/tenancy/tenancy-runtime';
import type { TenantSchema } from '../platform/tenancy/tenant-schema';

export interface CliContext {
  config: Config;
  log: Logger;
  tenancy: Tenancy;
}

/** Config from the environment; a bad value ends the process naming the variable. */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Connects like the server does and runs `command`, then closes everything and exits with the
 * code it returns (0 by default; 1 on an exception). With no DATABASE_URL the embedded server
 * is used: the running one (the server's, on EMBEDDED_PG_PORT) or one started for this command.
 */
export function runWithTenancy(command: (ctx: CliContext) => Promise<number | void>, options: { schema?: TenantSchema } = {}): void {
  const config = loadCliConfig();
  // Logs are for operators debugging the CLI; they go to stderr, silent unless LOG_LEVEL asks.
  const log = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'silent', { cli: true }, pino.destination(2));
  const closers: Array<() => Promise<unknown>> = [];

  const main = async (): Promise<number> => {
    let controlUrl = config.DIRECT_DATABASE_URL ?? config.DATABASE_URL;
    if (!controlUrl) {
      if (await isPortOpen(config.EMBEDDED_PG_PORT)) {
        controlUrl = withDatabase(embeddedPostgresUrl(config.EMBEDDED_PG_PORT), `${config.DB_NAME_PREFIX}_control`);
      } else {
        const embedded = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log });
        closers.push(() => embedded.stop());
        controlUrl = withDatabase(embedded.url, `${config.DB_NAME_PREFIX}_control`);
      }
    }
    const tenancy = await startTenancy({
      settings: config,
      controlUrl,
      schema: options.schema ?? tenantSchema,
      controlMigrations,
      log,
    });
    closers.push(() => tenancy.close());
    return (await command({ config, log, tenancy })) ?? 0;
  };

  const finish = async (code: number) => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    // Writes to a pipe are asynchronous: exiting at once would cut off the end of long output
    // (the summary after 1,000 progress lines). A write's callback runs after those before it.
    await new Promise((resolve) => process.stdout.write('', resolve));
    await new Promise((resolve) => process.stderr.write('', resolve));
    process.exit(code);
  };
  main().then(finish, (error: unknown) => {
    const code = error instanceof AppError ? ` [${error.code}]` : '';
    console.error(`Error${code}: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') console.error(error);
    return finish(1);
  });
}

/** Left-aligned text table; cells are single-line and cut to `maxWidth`. */
export function formatTable(rows: Array<Record<string, string>>, maxWidth = 60): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  const clean = (value: string) => {
    const line = value.replace(/\s+/g, ' ').trim();
    return line.length > maxWidth ? `${line.slice(0, maxWidth - 1)}…` : line;
  };
  const cells = rows.map((row) => columns.map((column) => clean(row[column] ?? '')));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** commander argument parser for counts. */
export function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** commander argument parser for tenant ids. */
export function parseUuid(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) throw new InvalidArgumentError('must be a tenant id (uuid)');
  return value.toLowerCase();
}
