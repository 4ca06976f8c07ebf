import type { EntityManager } from 'typeorm';
import { TtlCache } from '../../platform/ttl-cache';
import type { BusinessHours, InboundAutoReplies } from '../whatsapp/whatsapp.module';
import { AutoReplyTrigger } from './auto-reply-rule.entity';
import { compileAutoReplyPattern, keywordMatches, regexMatches } from './auto-reply-pattern';
import { isOpen } from './business-hours-clock';

export interface AutoReplyRulePlan {
  id: string;
  trigger: AutoReplyTrigger;
  pattern: string | null;
  regex: RegExp | null;
  replyBody: string;
  cooldownMinutes: number;
}

/** The active rules of one channel, best first, with what OUTSIDE_BUSINESS_HOURS needs. */
export interface AutoReplyPlan {
  rules: AutoReplyRulePlan[];
  timeZone: string;
  /** Null when the channel has no settings row: OUTSIDE_BUSINESS_HOURS rules cannot tell, so they stay quiet. */
  businessHours: BusinessHours | null;
}

const EMPTY: AutoReplyPlan = { rules: [], timeZone: 'UTC', businessHours: null };

/**
 * Auto-reply rules evaluated on inbound messages. Rules are read per channel at most once per TTL
 * (the webhook hot path costs no query for tenants without rules). The cooldown is checked and
 * the firing recorded inside the inbound message's transaction, after the conversation row is
 * locked by its upsert, so two concurrent messages of one conversation cannot both fire.
 */
export class AutoReplies implements InboundAutoReplies {
  private readonly plans: TtlCache<string, AutoReplyPlan>;

  constructor(options: { ttlMs: number; maxEntries?: number }) {
    this.plans = new TtlCache({ ttlMs: options.ttlMs, maxEntries: options.maxEntries ?? 5_000 });
  }

  plan(tenantId: string, sessionId: string, manager: EntityManager): Promise<AutoReplyPlan> {
    return this.plans.getOrLoad(`${tenantId}:${sessionId}`, () => loadPlan(manager, sessionId));
  }

  /** Forgets a tenant's cached rules (after they change). */
  invalidate(tenantId: string): void {
    this.plans.deleteWhere((key) => key.startsWith(`${tenantId}:`));
  }

  /**
   * The rule that answers `body` at `at`: the first matching one by priority. Lower rules are not
   * tried when it is cooling down, so one message never gets a second-best answer.
   */
  choose(plan: AutoReplyPlan, body: string, at: Date): AutoReplyRulePlan | null {
    for (const rule of plan.rules) {
      if (matches(rule, plan, body, at)) return rule;
    }
    return null;
  }

  /**
   * Records a firing unless the rule fired in this conversation within its cooldown. Call inside
   * the transaction that holds the conversation row's lock.
   */
  async tryFire(tx: EntityManager, rule: AutoReplyRulePlan, conversationId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO auto_reply_firings (rule_id, conversation_id)
       SELECT $1, $2
        WHERE NOT EXISTS (
          SELECT 1 FROM auto_reply_firings
           WHERE rule_id = $1 AND conversation_id = $2 AND fired_at > now() - make_interval(mins => $3))
       RETURNING id`,
      [rule.id, conversationId, rule.cooldownMinutes],
    );
    return rows.length > 0;
  }
}

function matches(rule: AutoReplyRulePlan, plan: AutoReplyPlan, body: string, at: Date): boolean {
  switch (rule.trigger) {
    case AutoReplyTrigger.KEYWORD:
      return rule.pattern !== null && keywordMatches(rule.pattern, body);
    case AutoReplyTrigger.REGEX:
      return rule.regex !== null && regexMatches(rule.regex, body);
    case AutoReplyTrigger.OUTSIDE_BUSINESS_HOURS:
      return plan.businessHours !== null && !isOpen(plan.businessHours, plan.timeZone, at);
    default:
      return false;
  }
}

async function loadPlan(manager: EntityManager, sessionId: string): Promise<AutoReplyPlan> {
  const rules: Array<{ id: string; trigger: AutoReplyTrigger; pattern: string | null; reply_body: string; cooldown_minutes: number }> =
    await manager.query(
      `SELECT id, trigger, pattern, reply_body, cooldown_minutes FROM auto_reply_rules
        WHERE is_active AND (session_id IS NULL OR session_id = $1)
        ORDER BY priority DESC, created_at ASC, id ASC`,
      [sessionId],
    );
  if (rules.length === 0) return EMPTY;
  const [settings]: Array<{ timezone: string; business_hours: BusinessHours }> = await manager.query(
    'SELECT timezone, business_hours FROM whatsapp_settings WHERE session_id = $1',
    [sessionId],
  );
  const [master]: Array<{ timezone: string }> = await manager.query('SELECT timezone FROM master_config WHERE id = 1');
  // The channel's own zone when it set one, else the business profile's.
  const timeZone = settings && settings.timezone !== 'UTC' ? settings.timezone : (master?.timezone ?? 'UTC');
  return {
    timeZone,
    businessHours: settings?.business_hours ?? null,
    rules: rules.map((rule) => ({
      id: rule.id,
      trigger: rule.trigger,
      pattern: rule.pattern,
      regex: rule.trigger === AutoReplyTrigger.REGEX && rule.pattern ? compileOrNull(rule.pattern) : null,
      replyBody: rule.reply_body,
      cooldownMinutes: rule.cooldown_minutes,
    })),
  };
}

function compileOrNull(pattern: string): RegExp | null {
  try {
    return compileAutoReplyPattern(pattern);
  } catch {
    return null;
  }
}
