import { settingsChanged } from './settings.events';
import type { RequestContext } from '../../platform/graphql/request-context';
import { invalidField } from '../../platform/errors';
import { MasterConfig } from './master-config.entity';
import type { UpdateMasterConfigInput } from './settings.types';
import { canonicalLocale, canonicalTimeZone } from './locale-rules';

/** The single business-profile row (id 1, created by the tenant migration). */
export class MasterConfigService {
  async get(ctx: RequestContext): Promise<MasterConfig> {
    return (await ctx.tenant().manager()).getRepository(MasterConfig).findOneByOrFail({ id: 1 });
  }

  async update(ctx: RequestContext, input: UpdateMasterConfigInput): Promise<MasterConfig> {
    // null, like an omitted field, leaves a value as it is (only defaultCountry can be cleared).
    const changes: Partial<Pick<MasterConfig, 'businessName' | 'timezone' | 'currency' | 'locale' | 'defaultCountry'>> = {};
    if (input.businessName != null) changes.businessName = input.businessName.trim();
    if (input.timezone != null) {
      const timezone = canonicalTimeZone(input.timezone);
      if (!timezone) throw invalidField('timezone', 'timezone must be an IANA time zone name, e.g. Europe/Berlin');
      changes.timezone = timezone;
    }
    if (input.currency != null) changes.currency = input.currency;
    if (input.locale != null) {
      const locale = canonicalLocale(input.locale);
      if (!locale) throw invalidField('locale', 'locale must be a BCP 47 language tag, e.g. pt-BR');
      changes.locale = locale;
    }
    if (input.defaultCountry !== undefined) {
      if (input.defaultCountry !== null && !/^[A-Z]{2}$/.test(input.defaultCountry)) throw invalidField('defaultCountry', 'defaultCountry must be upper case, e.g. GB');
      changes.defaultCountry = input.defaultCountry;
    }
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const repo = manager.getRepository(MasterConfig);
      if (Object.keys(changes).length > 0) {
        await repo.update({ id: 1 }, changes);
        record(settingsChanged('MASTER_CONFIG', { changes }));
      }
      return repo.findOneByOrFail({ id: 1 });
    });
  }
}
