import { isUUID } from 'class-validator';
import { notFound, invalidField } from '../../platform/errors';
import { containsPattern } from '../../platform/db/like-pattern';
import { pageByCreatedAt } from '../../platform/graphql/keyset-pagination';
import { withDbErrors } from '../../platform/db/pg-errors';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { QuickReply } from './quick-reply.entity';
import type { CreateQuickReplyInput, QuickReplyFilter, UpdateQuickReplyInput } from './quick-reply.types';

const CONFLICTS = { UQ_quick_replies_shortcut: 'A quick reply with that shortcut already exists' };

/** '/Hours ' and 'hours' are the same shortcut: stored as '/hours'. */
export const normalizeShortcut = (shortcut: string) => `/${shortcut.trim().replace(/^\//, '').toLowerCase()}`;

export class QuickReplyService {
  async list(ctx: RequestContext, args: ConnectionArgs, filterOrNull: QuickReplyFilter | null = {}): Promise<Connection<QuickReply>> {
    const filter = filterOrNull ?? {}; // an explicit null filter means none
    const manager = await ctx.tenant().manager();
    const query = manager.getRepository(QuickReply).createQueryBuilder('quick_reply');
    if (filter.search?.trim()) {
      query.andWhere('(quick_reply.shortcut ILIKE :search OR quick_reply.title ILIKE :search)', {
        search: containsPattern(filter.search.trim()),
      });
    }
    return pageByCreatedAt(query, args);
  }

  async get(ctx: RequestContext, id: string): Promise<QuickReply | null> {
    if (!isUUID(id)) return null;
    return (await ctx.tenant().manager()).getRepository(QuickReply).findOneBy({ id });
  }

  async create(ctx: RequestContext, input: CreateQuickReplyInput): Promise<QuickReply> {
    const repo = (await ctx.tenant().manager()).getRepository(QuickReply);
    const quickReply = repo.create({ shortcut: normalizeShortcut(input.shortcut), title: input.title.trim(), body: input.body });
    if (!quickReply.title) throw invalidField('title', 'title must not be blank');
    await withDbErrors(() => repo.insert(quickReply), CONFLICTS);
    return quickReply;
  }

  async update(ctx: RequestContext, id: string, input: UpdateQuickReplyInput): Promise<QuickReply> {
    const repo = (await ctx.tenant().manager()).getRepository(QuickReply);
    const quickReply = await this.get(ctx, id);
    if (!quickReply) throw notFound('Quick reply');
    if (input.shortcut !== undefined) quickReply.shortcut = normalizeShortcut(input.shortcut);
    if (input.title !== undefined) quickReply.title = input.title.trim();
    if (input.body !== undefined) quickReply.body = input.body;
    if (!quickReply.title) throw invalidField('title', 'title must not be blank');
    return withDbErrors(() => repo.save(quickReply), CONFLICTS);
  }

  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    if (!isUUID(id)) throw notFound('Quick reply');
    const result = await (await ctx.tenant().manager()).getRepository(QuickReply).delete({ id });
    if (!result.affected) throw notFound('Quick reply');
    return true;
  }
}
