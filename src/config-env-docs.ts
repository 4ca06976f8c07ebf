/**
 * What each environment variable means, for the README's table (`npm run docs:env` writes it
 * from the config schema and this list; test/operations/env-docs.test.ts fails when a variable
 * of the schema, or one read from `process.env` elsewhere, has no entry here or the README is
 * stale). `default` overrides the default the schema yields, for computed or secret defaults.
 */
export interface EnvDoc {
  meaning: string;
  default?: string;
}

/** Variables of the config schema (src/config.ts), in the order the table shows them. */
export const CONFIG_ENV_DOCS: Record<string, EnvDoc> = {
  NODE_ENV: { meaning: '`development`, `test` or `production` (production requires `JWT_SECRET` and `SECRETS_KEY`, turns off introspection and the explorer)' },
  PORT: { meaning: 'HTTP and WebSocket listener port' },
  HOST: { meaning: 'HTTP and WebSocket listener address' },
  DATA_DIR: { meaning: 'embedded PostgreSQL, generated secrets, stored media' },
  LOG_LEVEL: { meaning: 'pino level (`fatal` … `trace`, `silent`)' },
  DATABASE_URL: { meaning: 'control database URL; absent → embedded PostgreSQL under `DATA_DIR`. With `DIRECT_DATABASE_URL` set it names a PgBouncer (transaction pooling) that tenant requests go through', default: '*(embedded)*' },
  DIRECT_DATABASE_URL: { meaning: 'the PostgreSQL server itself when `DATABASE_URL` is a pooler: the control database, LISTEN, session advisory locks, migrations, provisioning and moves use it' },
  EMBEDDED_PG_PORT: { meaning: 'port of the embedded PostgreSQL (only without `DATABASE_URL`)' },
  TENANCY_MODE: {
    meaning:
      '`auto`: one database per tenant when the role may create databases (`CREATEDB` or superuser), else one schema per tenant (said once at start-up); `database` or `schema` to choose (database mode falls back to schemas, with a warning, when the role lacks `CREATEDB`). A role that cannot create databases keeps the schemas in the control database unless `<DB_NAME_PREFIX>_schemas` exists',
  },
  DB_NAME_PREFIX: { meaning: 'prefix of every database and schema created (lets deployments share a server)' },
  TENANT_POOL_SIZE: { meaning: 'connections per tenant database pool' },
  SCHEMA_POOL_SIZE: { meaning: 'connections of the shared schema-mode pool' },
  CONNECTION_BUDGET: {
    meaning: "connections this instance may open in total (control pool included); keep it below the server's `max_connections` divided by the number of instances",
  },
  CONTROL_POOL_SIZE: { meaning: 'control database pool' },
  TENANT_IDLE_TIMEOUT_MS: { meaning: 'idle tenant pools are closed after this' },
  CONNECTION_WAIT_TIMEOUT_MS: { meaning: 'how long a request waits for budget before `CONNECTION_BUDGET_EXHAUSTED`' },
  TENANT_CACHE_TTL_MS: {
    meaning:
      "how long an instance caches a tenant's status and placement, a member's role, an API key's and a platform admin's state (a suspension, role change, revocation or deletion elsewhere applies within this, open sockets included)",
  },
  JWT_SECRET: { meaning: '≥ 32 chars; required when `NODE_ENV=production`, otherwise generated once into `DATA_DIR`', default: '*(generated)*' },
  JWT_ISSUER: { meaning: 'issuer (`iss`) of the access tokens, checked on every request' },
  JWT_AUDIENCE: { meaning: 'audience (`aud`) of the access tokens, checked on every request' },
  JWT_TTL_SECONDS: { meaning: 'access token lifetime' },
  GRAPHQL_MAX_DEPTH: { meaning: 'deepest query accepted, on HTTP and WebSocket alike' },
  GRAPHQL_MAX_COST: { meaning: 'costliest query accepted (estimated fields × page sizes), on HTTP and WebSocket alike' },
  GRAPHQL_INTROSPECTION: {
    meaning: 'schema introspection; off also removes "Did you mean" hints from errors',
    default: '`true` outside production, else `false`',
  },
  GRAPHQL_EXPLORER: {
    meaning: 'GraphiQL at `/graphiql` (a browser opening `/graphql` is sent there); off: 404',
    default: '`true` outside production, else `false`',
  },
  CORS_ORIGINS: {
    meaning: 'comma-separated origins (`https://app.example.com`, or `*`) whose pages may call the API from a browser; replaces the default',
    default: '`http://localhost:5173` outside production, none in production',
  },
  EXPOSE_SQL_COUNT: { meaning: 'test and benchmark aid: SQL statements per request in `extensions.sqlStatements`' },
  DATALOADER_BATCHING: { meaning: 'benchmark aid: `false` loads relations one by one (the naive N+1 baseline)' },
  MAX_UPLOAD_BYTES: { meaning: 'largest document upload' },
  MEDIA_URL_TTL_SECONDS: {
    meaning:
      'lifetime of the signed media URLs of `Message.media` (`/media/<tenant>/<document>?exp=&sig=`, HMAC-SHA256 with a key derived from `SECRETS_KEY`; the same URL is handed out for a fifth of that, so browsers reuse their copy)',
  },
  PUBLIC_URL: { meaning: "where WhatsApp providers reach this server's webhooks", default: '*(own URL)*' },
  REDIS_URL: { meaning: 'fan live events out through Redis (and keep rate-limit counters there); without it, Postgres LISTEN/NOTIFY on the control database (one extra connection)' },
  SUBSCRIPTION_QUEUE_LIMIT: { meaning: 'events one subscription may have waiting for its socket, a memory bound only (events are shared by a tenant\'s subscribers, a queue holds references); past it the subscriber is closed with 4413' },
  SUBSCRIBER_STALL_MS: { meaning: 'a WebSocket whose unsent bytes make no progress for this long (it stopped reading) is closed with code 4413 and the reason "Too slow reading live events: reconnect, then refetch what you show"; a slow server never counts against a client' },
  SUBSCRIBER_MAX_BUFFERED_BYTES: { meaning: 'a WebSocket holding more unsent bytes than this is closed with 4413 at once' },
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: { meaning: 'operations one WebSocket may hold' },
  WAHA_URL: { meaning: 'WAHA base URL (sandbox channels when unset)' },
  WAHA_API_KEY: { meaning: 'WAHA API key, sent as `X-Api-Key`' },
  WAHA_WEBHOOK_HMAC_KEY: { meaning: '≥ 16 chars; key of the HMAC-SHA512 WAHA signs its webhooks with; required with `WAHA_URL`' },
  CLOUD_API_URL: { meaning: 'Meta Cloud API base URL' },
  CLOUD_VERIFY_TOKEN: { meaning: "Meta Cloud API webhook verify token (the subscription challenge)" },
  SECRETS_KEY: { meaning: '≥ 32 chars; encrypts tenant secrets at rest and signs media URLs; required in production', default: '*(generated)*' },
  PROVIDER_TIMEOUT_MS: { meaning: 'timeout of provider calls (session management, lookups)' },
  PROVIDER_SEND_TIMEOUT_MS: { meaning: 'timeout of a provider send' },
  INBOUND_MEDIA_MAX_BYTES: { meaning: 'inbound media larger than this is not copied (the message is stored without it)' },
  WEBHOOK_EVENTS_RETENTION_DAYS: {
    meaning:
      "days a tenant's ingested webhook events are kept for deduplication (pruned in the background after ingests; messages stay deduplicated by their provider id); `0` keeps them",
  },
  SANDBOX_ACK_DELAYS_MS: { meaning: 'simulated ack delays of the sandbox provider: SENT, DELIVERED, READ (ms)' },
  JOBS_SCHEMA: { meaning: 'pg-boss schema in the control database' },
  JOBS_POOL_SIZE: { meaning: "pg-boss's pool (counted in the budget)" },
  JOBS_POLLING_INTERVAL_SECONDS: { meaning: 'how often idle job workers poll for work' },
  JOBS_MAINTENANCE_INTERVAL_SECONDS: { meaning: 'how often expired (crashed) jobs are put back for retry' },
  OUTBOUND_MAX_ATTEMPTS: { meaning: 'attempts of a send before the message is `FAILED`' },
  OUTBOUND_RETRY_DELAY_SECONDS: { meaning: 'first retry delay of a send; doubles with each attempt (with jitter)' },
  OUTBOUND_JOB_EXPIRE_SECONDS: { meaning: 'a send attempt still running after this is presumed dead (process killed) and retried after reconciling' },
  CAMPAIGN_RATE_WAHA_PER_MINUTE: { meaning: 'campaign messages a minute per WAHA channel, shared by every campaign on it (gaps jittered ±50%); caps a campaign\'s `messagesPerMinute`' },
  CAMPAIGN_RATE_CLOUD_PER_MINUTE: { meaning: 'campaign messages a minute per Cloud API channel, shared by every campaign on it' },
  CAMPAIGN_RATE_SANDBOX_PER_MINUTE: { meaning: 'campaign messages a minute per sandbox channel, shared by every campaign on it' },
  CAMPAIGN_DAILY_LIMIT_WAHA: { meaning: 'unique customers campaigns may reach per WAHA channel in a moving 24 hours (`0`: no cap); sending waits when it is reached' },
  CAMPAIGN_DAILY_LIMIT_CLOUD: { meaning: 'unique customers campaigns may reach per Cloud API channel in a moving 24 hours (`0`: no cap)' },
  CAMPAIGN_DAILY_LIMIT_SANDBOX: { meaning: 'unique customers campaigns may reach per sandbox channel in a moving 24 hours (`0`: no cap)' },
  WEBHOOK_ALLOW_PRIVATE: { meaning: 'outgoing webhooks may target private, loopback and link-local addresses (checked on the URL and on every resolved address)', default: '`false` in production, else `true`' },
  WEBHOOK_RETRY_DELAYS_SECONDS: { meaning: 'seconds before each retry of a failed delivery (about 27 h in all); after the last the delivery is FAILED' },
  WEBHOOK_TIMEOUT_MS: { meaning: 'one webhook request waits this long for an answer (redirects are never followed)' },
  WEBHOOK_DISABLE_AFTER_SECONDS: { meaning: 'an endpoint whose deliveries all failed for this long is disabled (`webhook_endpoint.disabled` event)' },
  WEBHOOK_CONCURRENCY: { meaning: 'webhook requests this process runs at once' },
  WEBHOOK_ENDPOINT_CONCURRENCY: { meaning: 'webhook requests at once per endpoint (a slow endpoint never holds up the others)' },
  CAMPAIGN_JOB_EXPIRE_SECONDS: { meaning: "a campaign sender's slice (its lease is half of this) still running after this is presumed dead (process killed) and taken over" },
  OUTBOUND_CONCURRENCY: { meaning: 'sends one instance runs at once' },
  CHANNEL_CACHE_TTL_MS: { meaning: 'lifetime of cached channel routes and provider credentials' },
  AUTO_REPLY_CACHE_TTL_MS: { meaning: 'lifetime of cached auto-reply rules' },
  EVENT_LOG_RETENTION_DAYS: { meaning: 'days dispatched domain events (the audit log) are kept; `0` keeps them' },
  EVENT_DISPATCH_TIMEOUT_MS: { meaning: 'longest a write waits for the event consumers (live pushes) before answering; they go on in the background' },
  EVENT_REDISPATCH_AFTER_MS: { meaning: 'an event undispatched this long (its writer died, a consumer failed) is dispatched again' },
  EVENT_SWEEP_INTERVAL_MS: { meaning: 'how often failed dispatches and control-database events are swept' },
  TRUST_PROXY: { meaning: 'whether `X-Forwarded-For` names the client: `true`, a hop count, or proxy addresses (see Security)', default: '`false`' },
  LOGIN_MAX_FAILURES: { meaning: 'failed logins per account (24 h) before lock-outs' },
  LOGIN_ADDRESS_MAX_FAILURES: { meaning: 'failed logins per client address (1 h) before lock-outs' },
  LOGIN_LOCKOUT_SECONDS: { meaning: 'first lock-out, doubled after each further failure' },
  LOGIN_LOCKOUT_MAX_SECONDS: { meaning: 'longest lock-out' },
  SIGNUP_RATE_LIMIT: { meaning: 'sign-ups per address per hour (`0`: off)' },
  SIGNUP_MODE: { meaning: "`open`, `invite` (only with a platform admin's sign-up invitation) or `closed`" },
  API_KEY_RATE_LIMIT: { meaning: 'GraphQL requests and WebSocket operations per minute per API key (`0`: off)' },
  TENANT_RATE_LIMIT: { meaning: 'GraphQL requests and WebSocket operations per minute per tenant (`0`: off)' },
  INVITATION_TTL_HOURS: { meaning: 'how long member and sign-up invitations can be accepted' },
  PASSWORD_MIN_LENGTH: { meaning: 'password policy: shortest password' },
  PASSWORD_MIN_SCORE: { meaning: 'password policy: weakest zxcvbn score (0-4)' },
  METRICS_TOKEN: { meaning: '≥ 16 chars; set: `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`' },
  METRICS_SAMPLE_INTERVAL_MS: { meaning: 'how often job queue depths, tenant database sizes and server connections are sampled for `/metrics` (never per scrape)' },
};

/** Variables read outside the config schema (operator commands, the test runner), shown after it. */
export const OTHER_ENV_DOCS: Record<string, EnvDoc> = {
  ADMIN_PASSWORD: { meaning: '`npm run admin:create`: the new platform admin\'s password (else prompted)', default: '—' },
  TEST_PG_PORT: { meaning: '`npm test`: port of the embedded PostgreSQL the tests start (without `DATABASE_URL`)', default: '—' },
  TEST_CONCURRENCY: { meaning: '`npm test`: test files run at once', default: '`2`' },
  TEST_TIMEOUT_MS: { meaning: '`npm test`: a test file fails after this rather than hanging the run', default: '`180000`' },
  TEST_LOG_LEVEL: { meaning: '`npm test`: log level of the servers tests start', default: '`silent`' },
};
