import { recordChanged } from '../../platform/events/event-payload';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { invalidField, notFound } from '../../platform/errors';
import { pageByCreatedAt } from '../../platform/graphql/keyset-pagination';
import { withDbErrors } from '../../platform/db/pg-errors';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { WhatsappSession } from '../whatsapp/whatsapp.module';
import { requireReference } from '../../platform/db/require-reference';
import { AutoReplyRule, AutoReplyTrigger } from './auto-reply-rule.entity';
import type { AutoReplyRuleFilter, CreateAutoReplyRuleInput, UpdateAutoReplyRuleInput } from './auto-reply-rule.types';
import { MAX_KEYWORD_LENGTH, regexPatternProblem } from './auto-reply-pattern';

/** CRUD of rules; evaluating them against inbound messages lives with message ingest. */
const RULE_FIELDS = [
  'id', 'name', 'trigger', 'pattern', 'replyBody', 'isActive', 'cooldownMinutes', 'priority', 'sessionId',
] as const satisfies ReadonlyArray<keyof AutoReplyRule>;

export class AutoReplyRuleService {
  async list(ctx: RequestContext, args: ConnectionArgs, filterOrNull: AutoReplyRuleFilter | null = {}): Promise<Connection<AutoReplyRule>> {
    const filter = filterOrNull ?? {}; // an explicit null filter means none
    const manager = await ctx.tenant().manager();
    const query = manager.getRepository(AutoReplyRule).createQueryBuilder('rule');
    if (filter.trigger) query.andWhere('rule.trigger = :trigger', { trigger: filter.trigger });
    if (filter.isActive !== undefined && filter.isActive !== null) query.andWhere('rule.is_active = :isActive', { isActive: filter.isActive });
    if (filter.sessionId) query.andWhere('rule.session_id = :sessionId', { sessionId: filter.sessionId });
    return pageByCreatedAt(query, args);
  }

  async get(ctx: RequestContext, id: string): Promise<AutoReplyRule | null> {
    if (!isUUID(id)) return null;
    return (await ctx.tenant().manager()).getRepository(AutoReplyRule).findOneBy({ id });
  }

  async create(ctx: RequestContext, input: CreateAutoReplyRuleInput): Promise<AutoReplyRule> {
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const repo = manager.getRepository(AutoReplyRule);
      const rule = repo.create({
        name: input.name.trim(),
        trigger: input.trigger,
        pattern: input.pattern ?? null,
        replyBody: input.replyBody,
        isActive: input.isActive,
        cooldownMinutes: input.cooldownMinutes,
        priority: input.priority,
        sessionId: input.sessionId ?? null,
      });
      await this.validate(manager, rule, true);
      await withDbErrors(() => repo.insert(rule));
      record(recordChanged('auto_reply_rule', 'created', rule, RULE_FIELDS));
      return rule;
    });
  }

  async update(ctx: RequestContext, id: string, input: UpdateAutoReplyRuleInput): Promise<AutoReplyRule> {
    const rule = await this.get(ctx, id);
    if (!rule) throw notFound('Auto-reply rule');
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const sessionChanged = input.sessionId !== undefined && input.sessionId !== rule.sessionId;
      if (input.name !== undefined) rule.name = input.name.trim();
      if (input.trigger !== undefined) rule.trigger = input.trigger;
      if (input.pattern !== undefined) rule.pattern = input.pattern;
      if (input.replyBody !== undefined) rule.replyBody = input.replyBody;
      if (input.isActive !== undefined) rule.isActive = input.isActive;
      if (input.cooldownMinutes !== undefined) rule.cooldownMinutes = input.cooldownMinutes;
      if (input.priority !== undefined) rule.priority = input.priority;
      if (input.sessionId !== undefined) rule.sessionId = input.sessionId;
      await this.validate(manager, rule, sessionChanged);
      const saved = await withDbErrors(() => manager.getRepository(AutoReplyRule).save(rule));
      record(recordChanged('auto_reply_rule', 'updated', saved, RULE_FIELDS));
      return saved;
    });
  }

  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    if (!isUUID(id)) throw notFound('Auto-reply rule');
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const [rows]: [AutoReplyRule[], number] = await manager.query('DELETE FROM auto_reply_rules WHERE id = $1 RETURNING id, name', [id]);
      if (rows.length === 0) throw notFound('Auto-reply rule');
      record(recordChanged('auto_reply_rule', 'deleted', rows[0], ['id', 'name']));
      return true;
    });
  }

  /** Checks the rule as it will be stored (after merging an update), normalising its pattern. */
  private async validate(manager: EntityManager, rule: AutoReplyRule, checkSession: boolean): Promise<void> {
    if (!rule.name) throw invalidField('name', 'name must not be blank');
    switch (rule.trigger) {
      case AutoReplyTrigger.KEYWORD: {
        const keyword = rule.pattern?.trim() ?? '';
        if (!keyword) throw invalidField('pattern', 'A KEYWORD rule needs a non-empty keyword');
        if (keyword.length > MAX_KEYWORD_LENGTH) throw invalidField('pattern', `A keyword is at most ${MAX_KEYWORD_LENGTH} characters`);
        rule.pattern = keyword;
        break;
      }
      case AutoReplyTrigger.REGEX: {
        const problem = regexPatternProblem(rule.pattern ?? '');
        if (problem) throw invalidField('pattern', problem);
        break;
      }
      case AutoReplyTrigger.OUTSIDE_BUSINESS_HOURS:
        rule.pattern = null;
        break;
    }
    if (checkSession && rule.sessionId) await requireReference(manager, WhatsappSession, rule.sessionId, 'sessionId', 'WhatsApp session');
  }
}
