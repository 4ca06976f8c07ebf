import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { invalidField, notFound } from '../../../platform/errors';
import type { RequestContext } from '../../../platform/graphql/request-context';
import { canonicalTimeZone } from '../../settings/settings.module';
import { normalizeBusinessHours, WEEKDAYS } from './business-hours';
import { WhatsappSession } from './whatsapp-session.entity';
import { WhatsappSettings } from './whatsapp-settings.entity';
import type { UpdateWhatsappSettingsInput, WhatsappSettingsType } from './whatsapp-settings.types';

const DEFAULTS: Pick<WhatsappSettings, 'timezone' | 'businessHours' | 'markReadOnReply'> = { timezone: 'UTC', businessHours: {}, markReadOnReply: true };

/** One settings row per channel, created on first save; until then the defaults apply. */
export class WhatsappSettingsService {
  /** Null when the channel does not exist (in this tenant). */
  async get(ctx: RequestContext, sessionId: string): Promise<WhatsappSettingsType | null> {
    const manager = await ctx.tenant().manager();
    if (!(await sessionExists(manager, sessionId))) return null;
    return toType(sessionId, await manager.getRepository(WhatsappSettings).findOneBy({ sessionId }));
  }

  async update(ctx: RequestContext, sessionId: string, input: UpdateWhatsappSettingsInput): Promise<WhatsappSettingsType> {
    const changes: Partial<Pick<WhatsappSettings, 'timezone' | 'businessHours' | 'markReadOnReply'>> = {};
    if (input.timezone !== undefined) {
      const timezone = canonicalTimeZone(input.timezone);
      if (!timezone) throw invalidField('timezone', 'timezone must be an IANA time zone name, e.g. America/Sao_Paulo');
      changes.timezone = timezone;
    }
    if (input.businessHours) changes.businessHours = normalizeBusinessHours(input.businessHours);
    if (input.markReadOnReply !== undefined) changes.markReadOnReply = input.markReadOnReply;

    const saved = await ctx.tenant().transaction(async ({ manager: tx, record }) => {
      if (!(await sessionExists(tx, sessionId))) throw notFound('WhatsApp session');
      // Serialises partial updates of one channel's settings so none is lost.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`whatsapp_settings:${sessionId}`]);
      const repo = tx.getRepository(WhatsappSettings);
      const current = await repo.findOneBy({ sessionId });
      if (current) {
        if (Object.keys(changes).length > 0) await repo.update({ id: current.id }, changes);
      } else {
        await repo.insert({ sessionId, ...DEFAULTS, ...changes });
      }
      // The settings module's `settings.changed`, scope WHATSAPP_SETTINGS (payload v1).
      record({ type: 'settings.changed', subjectId: sessionId, payload: { scope: 'WHATSAPP_SETTINGS', sessionId, changes } });
      return repo.findOneByOrFail({ sessionId });
    });
    return toType(sessionId, saved);
  }
}

async function sessionExists(manager: EntityManager, sessionId: string): Promise<boolean> {
  return isUUID(sessionId) && manager.getRepository(WhatsappSession).existsBy({ id: sessionId });
}

function toType(sessionId: string, row: WhatsappSettings | null): WhatsappSettingsType {
  const settings = row ?? { ...DEFAULTS, updatedAt: null };
  const businessHours = Object.fromEntries(WEEKDAYS.map((day) => [day, settings.businessHours[day] ?? []]));
  return {
    sessionId,
    timezone: settings.timezone,
    businessHours: businessHours as unknown as WhatsappSettingsType['businessHours'],
    markReadOnReply: settings.markReadOnReply,
    updatedAt: settings.updatedAt,
  };
}
