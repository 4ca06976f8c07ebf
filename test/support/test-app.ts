import 'reflect-metadata';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { startApp, type App } from '../../src/app';
import { withDatabase } from '../../src/platform/db/connection-url';
import { createLogger, type Logger } from '../../src/platform/logger';
import { GraphQLTestClient } from './graphql-client';

/**
 * The Postgres server tests run against: DATABASE_URL (set by scripts/run-tests.ts, which
 * starts the embedded server when the caller gave none). Any database in the URL is ignored.
 */
export function testServerUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`');
  return withDatabase(url, 'postgres');
}

export interface TestApp {
  app: App;
  prefix: string;
  url: string;
  client: GraphQLTestClient;
  /** A superuser connection to the test server's maintenance database. */
  admin(): Promise<Client>;
  stop(): Promise<void>;
}

/**
 * Boots the real server on an ephemeral port with its own control database and name prefix,
 * so test files can run side by side on one Postgres server. stop() drops what it created.
 *
 * `join: other` boots a second instance of the same deployment instead: same control database,
 * prefix and secrets (so tokens work on both); its stop() leaves the databases to `other`.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { join?: TestApp; log?: Logger; /** Where the app's JSON log lines go (default: stdout). */ logStream?: NodeJS.WritableStream } = {},
): Promise<TestApp> {
  const joined = options.join;
  const prefix = joined?.prefix ?? `t${crypto.randomBytes(5).toString('hex')}`;
  const dataDir = joined ? joined.app.config.DATA_DIR : fs.mkdtempSync(path.join(os.tmpdir(), 'crm-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: withDatabase(testServerUrl(), `${prefix}_control`),
    DB_NAME_PREFIX: prefix,
    CONNECTION_BUDGET: '20',
    CONTROL_POOL_SIZE: '3',
    EXPOSE_SQL_COUNT: 'true',
    ...env,
  });
  const log = options.log ?? createLogger(config.LOG_LEVEL, { prefix }, options.logStream as Parameters<typeof createLogger>[2]);
  const app = await startApp(config, { log });
  const client = new GraphQLTestClient(app.url);
  let stopped = false;
  return {
    app,
    prefix,
    url: app.url,
    client,
    admin: async () => {
      const admin = new Client({ connectionString: testServerUrl() });
      await admin.connect();
      return admin;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await app.stop();
      if (joined) return;
      await dropDatabasesWithPrefix(prefix);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function dropDatabasesWithPrefix(prefix: string): Promise<void> {
  const admin = new Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%'",
      [prefix],
    );
    for (const { datname } of rows) {
      await admin.query(`ALTER DATABASE "${datname}" WITH ALLOW_CONNECTIONS true IS_TEMPLATE false`).catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
