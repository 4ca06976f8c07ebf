import { Membership, TenantRole } from '../../platform/control/membership.entity';
import { findByIdOrFail } from '../../platform/db/entity-lookup';
import { notFound, validationFailed } from '../../platform/errors';
import { isUuid } from '../../platform/graphql/batch-results';
import { keysetPage } from '../../platform/graphql/keyset-pagination';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Contact } from '../contacts/contact.entity';
import { contactByIdLoader } from '../contacts/contact.loaders';
import { Message } from '../messages/message.entity';
import { MESSAGE_COLUMNS, messageByIdLoader } from '../messages/message.loaders';
import { Conversation, ConversationStatus } from './conversation.entity';
import type { ConversationFilter } from './conversation.types';

/** A page row with its contact and last message fetched by the same query. */
type InboxRow = Conversation & { inboxContact?: Contact; inboxLastMessage?: Message | null };

/** Inbound messages just marked read, for the provider's read receipt. */
export interface ReadMessage {
  id: string;
  providerMessageId: string | null;
}

/** The inbox: listing, assignment, status and read state of conversations. */
export class ConversationService {
  /**
   * Newest activity first (last_message_at DESC, id DESC; IDX_conversations_inbox and its status /
   * assignee variants). The contact and last message of each row come in the same query and are
   * primed into their DataLoaders, so the page's `contact` and `lastMessage` fields cost nothing more.
   */
  async list(ctx: RequestContext, args: ConnectionArgs, filter: ConversationFilter | undefined): Promise<Connection<Conversation>> {
    const manager = await ctx.tenant().manager();
    const filtered = () => {
      const query = manager.getRepository(Conversation).createQueryBuilder('c');
      if (filter?.status) query.andWhere('c.status = :status', { status: filter.status });
      if (filter?.assigneeId) query.andWhere('c.assignee_user_id = :assigneeId', { assigneeId: filter.assigneeId });
      if (filter?.labelId) {
        query.andWhere('EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label_id = :labelId)', {
          labelId: filter.labelId,
        });
      }
      if (filter?.unreadOnly) query.andWhere('c.unread_count > 0');
      return query;
    };
    const page = filtered()
      // A conversation keeps showing its contact after the contact was (softly) deleted.
      .withDeleted()
      .innerJoinAndMapOne('c.inboxContact', Contact, 'ct', 'ct.id = c.contact_id')
      .leftJoinAndMapOne('c.inboxLastMessage', Message, 'lm', 'lm.id = c.last_message_id')
      .select(['c', 'ct', ...MESSAGE_COLUMNS.map((column) => `lm.${column}`)]);
    const connection = await keysetPage<InboxRow>(
      page,
      args,
      { alias: 'c', column: 'last_message_at', type: 'timestamptz', direction: 'DESC', nullable: true },
      () => filtered().getCount(),
    );
    const [contacts, messages] = await Promise.all([contactByIdLoader(ctx), messageByIdLoader(ctx)]);
    for (const { node } of connection.edges) {
      if (node.inboxContact) contacts.prime(node.contactId, node.inboxContact);
      if (node.lastMessageId) messages.prime(node.lastMessageId, node.inboxLastMessage ?? null);
      delete node.inboxContact;
      delete node.inboxLastMessage;
    }
    return connection;
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
    return this.change(ctx, id, { assigneeUserId: userId });
  }

  close(ctx: RequestContext, id: string): Promise<Conversation> {
    return this.change(ctx, id, { status: ConversationStatus.CLOSED });
  }

  reopen(ctx: RequestContext, id: string): Promise<Conversation> {
    return this.change(ctx, id, { status: ConversationStatus.OPEN });
  }

  /**
   * Marks every unread inbound message read and zeroes the unread count. The conversation row is
   * locked first, so an inbound message ingested at the same moment is either read here or counted
   * as unread after, never lost in between. The provider is told afterwards (sendReadReceipts).
   */
  async markRead(ctx: RequestContext, id: string): Promise<Conversation> {
    const manager = await ctx.tenant().manager();
    const { conversation, read } = await manager.transaction(async (transaction) => {
      const locked = isUuid(id)
        ? await transaction.getRepository(Conversation).createQueryBuilder('c').where('c.id = :id', { id }).setLock('pessimistic_write').getOne()
        : null;
      if (!locked) throw notFound('Conversation');
      const rows: Array<{ id: string; provider_message_id: string | null }> = await transaction.query(
        `UPDATE messages SET read_at = now(), updated_at = now()
          WHERE conversation_id = $1 AND direction = 'INBOUND' AND read_at IS NULL
          RETURNING id, provider_message_id`,
        [id],
      );
      if (locked.unreadCount !== 0) await transaction.getRepository(Conversation).update({ id }, { unreadCount: 0 });
      const conversation = locked.unreadCount !== 0 ? await findByIdOrFail(transaction, Conversation, id, 'Conversation') : locked;
      return { conversation, read: rows.map((row) => ({ id: row.id, providerMessageId: row.provider_message_id })) };
    });
    if (read.length > 0) await this.sendReadReceipts(ctx, conversation, read);
    return conversation;
  }

  /**
   * Extension point for the messaging module: tell the WhatsApp provider these messages were read
   * (WAHA sendSeen, Cloud API "status: read"). Runs after the commit; it must not fail the mutation
   * for a provider hiccup. Until then, read state is ours only.
   */
  protected async sendReadReceipts(_ctx: RequestContext, _conversation: Conversation, _messages: ReadMessage[]): Promise<void> {}

  /** One UPDATE, then the row as it is now. */
  private async change(ctx: RequestContext, id: string, changes: Partial<Pick<Conversation, 'assigneeUserId' | 'status'>>): Promise<Conversation> {
    if (!isUuid(id)) throw notFound('Conversation');
    const manager = await ctx.tenant().manager();
    const result = await manager.getRepository(Conversation).update({ id }, changes);
    if (!result.affected) throw notFound('Conversation');
    return findByIdOrFail(manager, Conversation, id, 'Conversation');
  }
}
