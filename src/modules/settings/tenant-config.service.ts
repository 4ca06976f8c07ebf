import { settingsChanged } from './settings.events';
import type { EntityManager } from 'typeorm';
import type { SecretBox } from '../../platform/crypto/secret-box';
import { AppError, ErrorCode, invalidField, notFound, validationFailed } from '../../platform/errors';
import type { RequestContext } from '../../platform/graphql/request-context';
import { TenantConfig } from './tenant-config.entity';
import type { TenantConfigEntryType } from './settings.types';

const KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;
export const MAX_TENANT_CONFIG_KEYS = 200;
const MAX_VALUE_BYTES = 16 * 1024;
const MAX_SECRET_LENGTH = 8 * 1024;

interface Row {
  key: string;
  value: unknown;
  is_secret: boolean;
  updated_at: Date;
}

/** Associated data of a secret: a ciphertext only opens for its own tenant and key. */
const secretContext = (tenantId: string, key: string) => `tenant-config:${tenantId}:${key}`;

/**
 * Free-form tenant settings. Secrets are sealed with the app's SecretBox before they reach the
 * database and never leave through the API: entries report isSecret and hasValue only. Code that
 * needs a secret (a provider client) calls readSecret.
 */
export class TenantConfigService {
  constructor(private readonly deps: { secrets: SecretBox }) {}

  async list(ctx: RequestContext): Promise<TenantConfigEntryType[]> {
    const rows = await (await ctx.tenant().manager()).getRepository(TenantConfig).find({ order: { key: 'ASC' } });
    return rows.map((row) => toEntry({ key: row.key, value: row.value, is_secret: row.isSecret, updated_at: row.updatedAt }));
  }

  async set(ctx: RequestContext, key: string, value: unknown): Promise<TenantConfigEntryType> {
    checkKey(key);
    const json = JSON.stringify(value ?? null);
    if (Buffer.byteLength(json) > MAX_VALUE_BYTES) throw invalidField('value', `value must be at most ${MAX_VALUE_BYTES} bytes of JSON`);
    return ctx.tenant().transaction(async ({ manager, record }) => {
      await checkRoomFor(manager, key);
      // A secret is never overwritten by a plain value (that would downgrade it silently).
      const rows: Row[] = await manager.query(
        `INSERT INTO tenant_config (key, value, is_secret) VALUES ($1, $2::jsonb, false)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now() WHERE tenant_config.is_secret = false
         RETURNING key, value, is_secret, updated_at`,
        [key, json],
      );
      if (rows.length === 0) throw new AppError(ErrorCode.CONFLICT, `${key} holds a secret: set it with setTenantSecret or delete it first`);
      record(settingsChanged('TENANT_CONFIG', { key, value: value ?? null }));
      return toEntry(rows[0]);
    });
  }

  async setSecret(ctx: RequestContext, key: string, secret: string): Promise<TenantConfigEntryType> {
    checkKey(key);
    if (secret.length === 0 || secret.length > MAX_SECRET_LENGTH) {
      throw invalidField('value', `A secret is 1 to ${MAX_SECRET_LENGTH} characters`);
    }
    const sealed = this.deps.secrets.encrypt(secret, secretContext(ctx.tenant().tenantId, key));
    return ctx.tenant().transaction(async ({ manager, record }) => {
      await checkRoomFor(manager, key);
      const rows: Row[] = await manager.query(
        `INSERT INTO tenant_config (key, value, is_secret) VALUES ($1, $2::jsonb, true)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, is_secret = true, updated_at = now()
         RETURNING key, value, is_secret, updated_at`,
        [key, JSON.stringify(sealed)],
      );
      record(settingsChanged('TENANT_CONFIG', { key, secret: true }));
      return toEntry(rows[0]);
    });
  }

  async delete(ctx: RequestContext, key: string): Promise<boolean> {
    checkKey(key);
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const result = await manager.getRepository(TenantConfig).delete({ key });
      if (!result.affected) throw notFound('Config key');
      record(settingsChanged('TENANT_CONFIG', { key, deleted: true }));
      return true;
    });
  }

  /** The plaintext of a secret, for server-side use only; null when unset. */
  async readSecret(manager: EntityManager, tenantId: string, key: string): Promise<string | null> {
    const row = await manager.getRepository(TenantConfig).findOneBy({ key, isSecret: true });
    if (!row || typeof row.value !== 'string') return null;
    return this.deps.secrets.decrypt(row.value, secretContext(tenantId, key));
  }
}

function toEntry(row: Row): TenantConfigEntryType {
  return {
    key: row.key,
    isSecret: row.is_secret,
    hasValue: row.is_secret ? typeof row.value === 'string' && row.value.length > 0 : row.value !== null,
    value: row.is_secret ? null : row.value,
    updatedAt: row.updated_at,
  };
}

function checkKey(key: string): void {
  if (!KEY.test(key)) throw invalidField('key', 'key is 1-100 letters, digits, _ . or -, starting with a letter');
}

/** tenantConfig is one unpaged list, so the number of keys is bounded. */
async function checkRoomFor(manager: EntityManager, key: string): Promise<void> {
  const repo = manager.getRepository(TenantConfig);
  if ((await repo.existsBy({ key })) || (await repo.count()) < MAX_TENANT_CONFIG_KEYS) return;
  throw validationFailed(`A tenant has at most ${MAX_TENANT_CONFIG_KEYS} config keys`, { limit: MAX_TENANT_CONFIG_KEYS });
}
