import type { AppModule } from '../../platform/app-module';
import type { SecretBox } from '../../platform/crypto/secret-box';
import { MasterConfig } from './master-config.entity';
import { SettingsResolver } from './settings.resolver';
import { TenantConfig } from './tenant-config.entity';
import { TenantConfigService } from './tenant-config.service';

export { canonicalTimeZone } from './locale-rules';

export const settingsEntities = [MasterConfig, TenantConfig];

/** The tenant's master config (locale, time zone, currency) and free-form settings with sealed secrets. */
export function createSettingsModule(deps: {
  secrets: SecretBox;
  /** Told after the master config changed (e.g. auto-replies drop their cached plans). */
  masterConfigChanged: (tenantId: string) => void;
}): AppModule {
  return {
    name: 'settings',
    resolvers: [new SettingsResolver(new TenantConfigService({ secrets: deps.secrets }), deps.masterConfigChanged)],
    routes: [],
    jobs: [],
    eventConsumers: [],
  };
}
