import { isUUID } from 'class-validator';
import { notFound, invalidField } from '../../platform/errors';
import { containsPattern } from '../../platform/db/like-pattern';
import { pageByCreatedAt } from '../../platform/graphql/keyset-pagination';
import { recordChanged } from '../../platform/events/event-payload';
import { withDbErrors } from '../../platform/db/pg-errors';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { QuickReply } from './quick-reply.entity';
import type { CreateQuickReplyInput, QuickReplyFilter, UpdateQuickReplyInput } from './quick-reply.types';

const QUICK_REPLY_FIELDS = ['id', 'shortcut', 'title', 'body'] as const satisfies ReadonlyArray<keyof QuickReply>;

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
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const repo = manager.getRepository(QuickReply);
      const quickReply = repo.create({ shortcut: normalizeShortcut(input.shortcut), title: input.title.trim(), body: input.body });
      if (!quickReply.title) throw invalidField('title', 'title must not be blank');
      await withDbErrors(() => repo.insert(quickReply), CONFLICTS);
      record(recordChanged('quick_reply', 'created', quickReply, QUICK_REPLY_FIELDS));
      return quickReply;
    });
  }

  async update(ctx: RequestContext, id: string, input: UpdateQuickReplyInput): Promise<QuickReply> {
    const found = await this.get(ctx, id);
    if (!found) throw notFound('Quick reply');
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const quickReply = found;
      if (input.shortcut !== undefined) quickReply.shortcut = normalizeShortcut(input.shortcut);
      if (input.title !== undefined) quickReply.title = input.title.trim();
      if (input.body !== undefined) quickReply.body = input.body;
      if (!quickReply.title) throw invalidField('title', 'title must not be blank');
      const saved = await withDbErrors(() => manager.getRepository(QuickReply).save(quickReply), CONFLICTS);
      record(recordChanged('quick_reply', 'updated', saved, QUICK_REPLY_FIELDS));
      return saved;
    });
  }

  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    if (!isUUID(id)) throw notFound('Quick reply');
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const [rows]: [QuickReply[], number] = await manager.query('DELETE FROM quick_replies WHERE id = $1 RETURNING id, shortcut, title', [id]);
      if (rows.length === 0) throw notFound('Quick reply');
      record(recordChanged('quick_reply', 'deleted', rows[0], ['id', 'shortcut', 'title']));
      return true;
    });
  }
}
