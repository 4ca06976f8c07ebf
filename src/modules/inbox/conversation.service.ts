import { Membership, TenantRole } from '../../platform/control/membership.entity';
import { findByIdOrFail } from '../../platform/db/entity-lookup';
import { notFound, validationFailed } from '../../platform/errors';
import { isUuid } from '../../platform/graphql/batch-results';
import { keysetAfter, keysetCursorKey, keysetOrderBy, type KeysetOrder } from '../../platform/graphql/keyset-pagination';
import { rawEntityRows } from '../../platform/db/raw-entity-rows';
import { pageSize, toConnection, type Connection, type ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Contact } from '../contacts/contacts.module';
import { Message } from './message.entity';
import { Conversation, ConversationStatus } from './conversation.entity';
import type { ConversationFilter } from './conversation.types';
import { contactSearchCondition } from './conversation-search';
import type { ReadReceiptSenders } from './conversation-read-receipts';
import { conversationChanged, InboxEventType } from './inbox-events';

/** A conversation of an inbox page, carrying the contact and last message joined to it. */
export type InboxConversation = Conversation & { lastMessage?: Message | null };

/** What the client selected of an inbox page, so one query fetches just that. */
export interface InboxSelection {
  withTotalCount?: boolean;
  /** Fields selected under edges.node.contact; null/undefined: not selected, not joined. */
  contactFields?: ReadonlySet<string> | null;
  lastMessageFields?: ReadonlySet<string> | null;
}

const INBOX_ORDER: KeysetOrder = { alias: 'c', column: 'last_message_at', type: 'timestamptz', direction: 'DESC', nullable: true };

/** Inbound messages just marked read, for the provider's read receipt. */
export interface ReadMessage {
  id: string;
  providerMessageId: string | null;
}

/** The inbox: listing, assignment, status and read state of conversations. */
export class ConversationService {
  constructor(private readonly deps: { readReceipts: ReadReceiptSenders }) {}

  /**
   * Newest activity first (last_message_at DESC, id DESC; IDX_conversations_inbox and its status /
   * assignee variants). The contact and last message of each row come in the same query when the
   * client selects them (only the selected columns), and so does totalCount, so the page's
   * `contact`, `lastMessage` and `totalCount` cost no further statement. Hand-written SQL: this is the hottest query of the product, and TypeORM's query builder
   * cost more CPU than the query itself (see BENCHMARKS.md, bench:graphql).
   */
  async list(
    ctx: RequestContext,
    args: ConnectionArgs,
    filter: ConversationFilter | undefined,
    options: InboxSelection = {},
  ): Promise<Connection<Conversation>> {
    const manager = await ctx.tenant().manager();
    const first = pageSize(args);
    const params: unknown[] = [];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    if (filter?.status) where.push(`c.status = ${bind(filter.status)}`);
    if (filter?.assigneeId) where.push(`c.assignee_user_id = ${bind(filter.assigneeId)}`);
    if (filter?.unassigned) where.push('c.assignee_user_id IS NULL');
    if (filter?.labelId) {
      where.push(`EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label_id = ${bind(filter.labelId)})`);
    }
    if (filter?.unreadOnly) where.push('c.unread_count > 0');
    const search = filter?.search ? contactSearchCondition(filter.search, bind) : null;
    if (search) where.push(search);
    const countSql = `SELECT count(*)::int AS n FROM conversations c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    const countParams = [...params];
    const countOnce = () => manager.query(countSql, countParams).then((result: Array<{ n: number }>) => result[0].n);
    if (args.after) where.push(keysetAfter(INBOX_ORDER, args.after, bind));

    const conversations = rawEntityRows(manager, Conversation);
    // Only what the client selected of contact and last message (plus ids): a page is the
    // hottest query there is, and every column costs on both sides of the wire.
    const contactRows = options.contactFields ? rawEntityRows(manager, Contact, { only: options.contactFields }) : null;
    const messageRows = options.lastMessageFields
      ? rawEntityRows(manager, Message, { exclude: ['rawPayload'], only: options.lastMessageFields })
      : null;
    // A conversation keeps showing its contact after the contact was (softly) deleted.
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT ${keysetCursorKey(INBOX_ORDER)} AS cursor_key, ${conversations.select('c', 'c_')}
              ${options.withTotalCount ? `, (${countSql}) AS total_count` : ''}
              ${contactRows ? `, ${contactRows.select('ct', 'ct_')}` : ''}
              ${messageRows ? `, ${messageRows.select('lm', 'lm_')}` : ''}
         FROM conversations c
         ${contactRows ? 'JOIN contacts ct ON ct.id = c.contact_id' : ''}
         ${messageRows ? 'LEFT JOIN messages lm ON lm.id = c.last_message_id' : ''}
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${keysetOrderBy(INBOX_ORDER)}
        LIMIT ${bind(first + 1)}`,
      params,
    );
    return toConnection(
      rows,
      first,
      (row) => [row.cursor_key as string | null, row.c_id as string],
      // Asked for up front, the count rides along in the page query (an uncorrelated subquery, run
      // once); an empty page has no row to carry it.
      () => (rows.length && options.withTotalCount ? Promise.resolve(rows[0].total_count as number) : countOnce()),
      (row) => {
        const conversation: InboxConversation = conversations.read(row, 'c_')!;
        // Partial rows: they answer this page's own fields and are not put in the shared loaders.
        if (contactRows) conversation.contact = contactRows.read(row, 'ct_')!;
        if (messageRows) conversation.lastMessage = messageRows.read(row, 'lm_');
        return conversation;
      },
      { afterCursor: Boolean(args.after) },
    );
  }

  async find(ctx: RequestContext, id: string): Promise<Conversation | null> {
    if (!isUuid(id)) return null;
    return (await ctx.tenant().manager()).getRepository(Conversation).findOneBy({ id });
  }

  /** Assigns to a member of this tenant who works conversations, or unassigns (null). */
  async assign(ctx: RequestContext, id: string, userId: string | null): Promise<Conversation> {
    if (userId !== null) {
      const tenantId = ctx.tenant().tenantId;
      const membership = isUuid(userId) ? await ctx.control.getRepository(Membership).findOneBy({ tenantId, userId }) : null;
      if (!membership) throw notFound('Member');
      if (membership.role === TenantRole.AUDITOR) {
        throw validationFailed('An AUDITOR only reads; assign the conversation to someone who works it', { field: 'userId' });
      }
    }
    return this.change(ctx, id, InboxEventType.CONVERSATION_ASSIGNED, { assigneeUserId: userId });
  }

  close(ctx: RequestContext, id: string): Promise<Conversation> {
    return this.change(ctx, id, InboxEventType.CONVERSATION_CLOSED, { status: ConversationStatus.CLOSED });
  }

  reopen(ctx: RequestContext, id: string): Promise<Conversation> {
    return this.change(ctx, id, InboxEventType.CONVERSATION_REOPENED, { status: ConversationStatus.OPEN });
  }

  /**
   * Marks every unread inbound message read and zeroes the unread count. The conversation row is
   * locked first, so an inbound message ingested at the same moment is either read here or counted
   * as unread after, never lost in between. The provider is told afterwards (read receipts).
   */
  async markRead(ctx: RequestContext, id: string): Promise<Conversation> {
    const { conversation, read } = await ctx.tenant().transaction(async ({ manager: transaction, record }) => {
      const locked = isUuid(id)
        ? await transaction.getRepository(Conversation).createQueryBuilder('c').where('c.id = :id', { id }).setLock('pessimistic_write').getOne()
        : null;
      if (!locked) throw notFound('Conversation');
      // An UPDATE through TypeORM's query() resolves to [rows, affected].
      const [rows]: [Array<{ id: string; provider_message_id: string | null }>, number] = await transaction.query(
        `UPDATE messages SET read_at = now(), updated_at = now()
          WHERE conversation_id = $1 AND direction = 'INBOUND' AND read_at IS NULL
          RETURNING id, provider_message_id`,
        [id],
      );
      if (locked.unreadCount !== 0) await transaction.getRepository(Conversation).update({ id }, { unreadCount: 0 });
      const conversation = locked.unreadCount !== 0 ? await findByIdOrFail(transaction, Conversation, id, 'Conversation') : locked;
      const read = rows.map((row) => ({ id: row.id, providerMessageId: row.provider_message_id }));
      if (read.length > 0 || locked.unreadCount !== 0) {
        record(conversationChanged(InboxEventType.CONVERSATION_READ, conversation, { messageIds: read.map((message) => message.id) }));
      }
      return { conversation, read };
    });
    // After the commit, the channel tells the customer (WAHA sendSeen, Cloud API "status: read").
    if (read.length > 0) await this.deps.readReceipts.send(ctx, conversation, read);
    return conversation;
  }

  /** Locks the row, changes it when that changes anything, records the event; the row as it is now. */
  private async change(
    ctx: RequestContext,
    id: string,
    type: typeof InboxEventType.CONVERSATION_ASSIGNED | typeof InboxEventType.CONVERSATION_CLOSED | typeof InboxEventType.CONVERSATION_REOPENED,
    changes: Partial<Pick<Conversation, 'assigneeUserId' | 'status'>>,
  ): Promise<Conversation> {
    if (!isUuid(id)) throw notFound('Conversation');
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const before = await manager.getRepository(Conversation).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!before) throw notFound('Conversation');
      const changed = (Object.keys(changes) as Array<keyof typeof changes>).some((key) => before[key] !== changes[key]);
      if (!changed) return before;
      await manager.getRepository(Conversation).update({ id }, changes);
      const after = await findByIdOrFail(manager, Conversation, id, 'Conversation');
      record(
        conversationChanged(
          type,
          after,
          type === InboxEventType.CONVERSATION_ASSIGNED ? { previousAssigneeUserId: before.assigneeUserId } : { previousStatus: before.status },
        ),
      );
      return after;
    });
  }
}
