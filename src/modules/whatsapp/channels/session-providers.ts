import type { EntityManager } from 'typeorm';
import type { ProviderRegistry } from '../../../channels/provider-registry';
import type { WhatsAppProvider } from '../../../channels/whatsapp-provider';
import type { SecretBox } from '../../../platform/crypto/secret-box';
import { notFound } from '../../../platform/errors';
import { TtlCache } from '../../../platform/ttl-cache';
import { WhatsappProvider } from './whatsapp-session.entity';

/** What a Cloud API channel keeps encrypted in `whatsapp_sessions.credentials_encrypted`. */
export interface CloudCredentials {
  accessToken: string;
  appSecret: string;
}

/** A channel ready to use: its provider client and, for Cloud, the secret that signs its webhooks. */
export interface ChannelHandle {
  sessionId: string;
  kind: WhatsappProvider;
  externalSessionId: string;
  provider: WhatsAppProvider;
  appSecret: string | null;
}

/**
 * Provider clients per channel. Credentials are decrypted once and kept in memory (capped, with
 * a TTL), so neither sends nor webhook signature checks pay for a database read and an AES-GCM
 * decryption each time. The ciphertext is bound to its tenant and session (associated data), so a
 * value copied to another row does not decrypt.
 */
export class SessionProviders {
  private readonly cache: TtlCache<string, ChannelHandle>;

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly secrets: SecretBox,
    options: { ttlMs: number; maxEntries?: number },
  ) {
    this.cache = new TtlCache({ ttlMs: options.ttlMs, maxEntries: options.maxEntries ?? 5_000 });
  }

  sealCloudCredentials(tenantId: string, sessionId: string, credentials: CloudCredentials): string {
    return this.secrets.encrypt(JSON.stringify(credentials), credentialsContext(tenantId, sessionId));
  }

  /** The channel's handle; NOT_FOUND when the session row does not exist. */
  get(tenantId: string, sessionId: string, manager: EntityManager): Promise<ChannelHandle> {
    return this.cache.getOrLoad(`${tenantId}:${sessionId}`, async () => {
      const rows: Array<{ id: string; provider: WhatsappProvider; external_session_id: string; credentials_encrypted: string | null }> =
        await manager.query('SELECT id, provider, external_session_id, credentials_encrypted FROM whatsapp_sessions WHERE id = $1', [sessionId]);
      const row = rows[0];
      if (!row) throw notFound('WhatsApp session');
      return this.handle(tenantId, row.id, row.provider, row.external_session_id, row.credentials_encrypted);
    });
  }

  /** Builds and caches the handle of a channel whose row is at hand (e.g. just created). */
  remember(tenantId: string, sessionId: string, kind: WhatsappProvider, externalSessionId: string, sealed: string | null): ChannelHandle {
    const handle = this.handle(tenantId, sessionId, kind, externalSessionId, sealed);
    this.cache.set(`${tenantId}:${sessionId}`, handle);
    return handle;
  }

  forget(tenantId: string, sessionId: string): void {
    this.cache.delete(`${tenantId}:${sessionId}`);
  }

  private handle(tenantId: string, sessionId: string, kind: WhatsappProvider, externalSessionId: string, sealed: string | null): ChannelHandle {
    switch (kind) {
      case WhatsappProvider.CLOUD: {
        const credentials = sealed ? (JSON.parse(this.secrets.decrypt(sealed, credentialsContext(tenantId, sessionId))) as CloudCredentials) : null;
        const provider = this.registry.forChannel({ provider: 'CLOUD', phoneNumberId: externalSessionId, accessToken: credentials?.accessToken ?? '' });
        return { sessionId, kind, externalSessionId, provider, appSecret: credentials?.appSecret ?? null };
      }
      case WhatsappProvider.WAHA:
        return { sessionId, kind, externalSessionId, provider: this.registry.forChannel({ provider: 'WAHA', sessionName: externalSessionId }), appSecret: null };
      default:
        return { sessionId, kind, externalSessionId, provider: this.registry.forChannel({ provider: 'SANDBOX', sessionName: externalSessionId }), appSecret: null };
    }
  }
}

function credentialsContext(tenantId: string, sessionId: string): string {
  return `whatsapp_sessions.credentials:${tenantId}:${sessionId}`;
}
