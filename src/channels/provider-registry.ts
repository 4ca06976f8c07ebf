import type { Config } from '../config';
import type { ProviderKind } from './channel-events';
import { ProviderError } from './channel-errors';
import { CloudClient } from './cloud/cloud-client';
import { CloudProvider } from './cloud/cloud-provider';
import { SandboxProvider, type SandboxProviderOptions } from './sandbox/sandbox-provider';
import { WahaClient } from './waha/waha-client';
import { WahaProvider } from './waha/waha-provider';
import type { WhatsAppProvider } from './whatsapp-provider';

/** What a channel row says about its provider; credentials come decrypted from the tenant's row. */
export type ChannelBinding =
  | { provider: 'WAHA'; sessionName: string }
  | { provider: 'CLOUD'; phoneNumberId: string; accessToken: string }
  | { provider: 'SANDBOX'; sessionName: string };

export type ProviderRegistryConfig = Pick<
  Config,
  'WAHA_URL' | 'WAHA_API_KEY' | 'WAHA_WEBHOOK_HMAC_KEY' | 'CLOUD_API_URL' | 'PUBLIC_URL'
>;

export interface ProviderRegistryOptions {
  /** Where sandbox acks and session changes go (the app feeds them to the same ingest as webhooks). */
  sandbox?: Omit<SandboxProviderOptions, 'sessionName'>;
  timeoutMs?: number;
  sendTimeoutMs?: number;
  maxMediaBytes?: number;
  fetchImpl?: typeof fetch;
  /** Our own base URL, used when PUBLIC_URL is not set (known only once the server listens). */
  ownUrl?: () => string | null;
}

/** Paths of our webhook routes, relative to PUBLIC_URL. */
export const WEBHOOK_PATHS: Readonly<Record<'WAHA' | 'CLOUD', string>> = {
  WAHA: '/webhooks/waha',
  CLOUD: '/webhooks/whatsapp-cloud',
};

const SANDBOX_CACHE_LIMIT = 1000;

/**
 * Which providers this deployment can use, and a provider for a given channel.
 * WAHA when WAHA_URL is set; the Cloud API always (each tenant brings its credentials);
 * the sandbox always, and it is the default when WAHA is not configured.
 */
export class ProviderRegistry {
  private readonly waha: WahaClient | null;
  private readonly cloud: CloudClient;
  /** Sandbox sessions keep state (status, sent ids); bounded, oldest evicted and disposed. */
  private readonly sandboxes = new Map<string, SandboxProvider>();

  constructor(
    private readonly config: ProviderRegistryConfig,
    private readonly options: ProviderRegistryOptions = {},
  ) {
    const http = {
      timeoutMs: options.timeoutMs,
      sendTimeoutMs: options.sendTimeoutMs,
      maxMediaBytes: options.maxMediaBytes,
      fetchImpl: options.fetchImpl,
    };
    this.waha = config.WAHA_URL ? new WahaClient({ baseUrl: config.WAHA_URL, apiKey: config.WAHA_API_KEY, ...http }) : null;
    this.cloud = new CloudClient({ baseUrl: config.CLOUD_API_URL, ...http });
  }

  /** Providers a new channel may use here. */
  available(): ProviderKind[] {
    return this.waha ? ['WAHA', 'CLOUD', 'SANDBOX'] : ['CLOUD', 'SANDBOX'];
  }

  /** The provider for a new QR-linked channel when the user does not choose: WAHA if configured. */
  defaultProvider(): 'WAHA' | 'SANDBOX' {
    return this.waha ? 'WAHA' : 'SANDBOX';
  }

  isAvailable(kind: ProviderKind): boolean {
    return this.available().includes(kind);
  }

  /** Our webhook URL for a provider: under PUBLIC_URL, else under our own URL; null when neither is known. */
  webhookUrl(kind: 'WAHA' | 'CLOUD'): string | null {
    const base = this.config.PUBLIC_URL ?? this.options.ownUrl?.() ?? null;
    return base ? `${base.replace(/\/+$/, '')}${WEBHOOK_PATHS[kind]}` : null;
  }

  forChannel(binding: ChannelBinding): WhatsAppProvider {
    switch (binding.provider) {
      case 'WAHA': {
        if (!this.waha || !this.config.WAHA_WEBHOOK_HMAC_KEY) throw notConfigured('WAHA', 'WAHA_URL is not set');
        return new WahaProvider({
          client: this.waha,
          sessionName: binding.sessionName,
          hmacKey: this.config.WAHA_WEBHOOK_HMAC_KEY,
        });
      }
      case 'CLOUD':
        if (!binding.accessToken) throw notConfigured('CLOUD', 'the channel has no access token');
        return new CloudProvider({ client: this.cloud, phoneNumberId: binding.phoneNumberId, accessToken: binding.accessToken });
      case 'SANDBOX':
        return this.sandbox(binding.sessionName);
      default:
        throw notConfigured((binding as { provider: ProviderKind }).provider, 'unknown provider');
    }
  }

  /** Cancels the sandbox's pending simulated acks (shutdown, tests). */
  dispose(): void {
    for (const sandbox of this.sandboxes.values()) sandbox.dispose();
    this.sandboxes.clear();
  }

  private sandbox(sessionName: string): SandboxProvider {
    const existing = this.sandboxes.get(sessionName);
    if (existing) {
      // Refresh its place in the eviction order.
      this.sandboxes.delete(sessionName);
      this.sandboxes.set(sessionName, existing);
      return existing;
    }
    if (this.sandboxes.size >= SANDBOX_CACHE_LIMIT) {
      const [oldestName, oldest] = this.sandboxes.entries().next().value as [string, SandboxProvider];
      oldest.dispose();
      this.sandboxes.delete(oldestName);
    }
    const created = new SandboxProvider({ ...this.options.sandbox, sessionName });
    this.sandboxes.set(sessionName, created);
    return created;
  }
}

function notConfigured(provider: ProviderKind, why: string): ProviderError {
  return new ProviderError({ provider, operation: 'configure', providerCode: 'NOT_CONFIGURED', message: why, retryable: false });
}
