import type { EntityManager } from 'typeorm';
import { notFound } from '../../platform/errors';
import { withDbErrors } from '../../platform/db/pg-errors';
import { findByIdOrFail } from '../../platform/db/entity-lookup';
import { isUuid } from '../../platform/graphql/batch-results';
import { keysetPage } from '../../platform/graphql/keyset-pagination';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Contact } from '../contacts/contacts.module';
import { Conversation } from '../inbox/inbox.module';
import { Label } from './label.entity';
import type { CreateLabelInput, UpdateLabelInput } from './label.types';
import { labelEvent, LabelEventType } from './label.events';

const LABEL_CONFLICTS = { UQ_labels_name: 'A label with this name already exists' };

/** Chat labels and putting them on contacts and conversations (idempotent both ways). */
export class LabelService {
  async list(ctx: RequestContext, args: ConnectionArgs): Promise<Connection<Label>> {
    const manager = await ctx.tenant().manager();
    const query = () => manager.getRepository(Label).createQueryBuilder('l');
    return keysetPage(query(), args, { alias: 'l', column: 'name', type: 'text', direction: 'ASC' }, () => query().getCount());
  }

  async find(ctx: RequestContext, id: string): Promise<Label | null> {
    if (!isUuid(id)) return null;
    return (await ctx.tenant().manager()).getRepository(Label).findOneBy({ id });
  }

  async create(ctx: RequestContext, input: CreateLabelInput): Promise<Label> {
    return withDbErrors(
      () =>
        ctx.tenant().transaction(async ({ manager, record }) => {
          const repository = manager.getRepository(Label);
          const label = await repository.save(repository.create({ name: input.name.trim(), ...(input.color ? { color: input.color.toLowerCase() } : {}) }));
          record(labelEvent(LabelEventType.CREATED, label));
          return label;
        }),
      LABEL_CONFLICTS,
    );
  }

  async update(ctx: RequestContext, id: string, input: UpdateLabelInput): Promise<Label> {
    return withDbErrors(
      () =>
        ctx.tenant().transaction(async ({ manager, record }) => {
          const label = await findByIdOrFail(manager, Label, id, 'Label');
          if (input.name !== undefined && input.name !== null) label.name = input.name.trim();
          if (input.color !== undefined && input.color !== null) label.color = input.color.toLowerCase();
          const saved = await manager.getRepository(Label).save(label);
          record(labelEvent(LabelEventType.UPDATED, saved));
          return saved;
        }),
      LABEL_CONFLICTS,
    );
  }

  /** Deletes the label and takes it off every contact and conversation (cascade). */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('Label');
    await ctx.tenant().transaction(async ({ manager, record }) => {
      const label = await manager.getRepository(Label).findOneBy({ id });
      if (!label) throw notFound('Label');
      await manager.getRepository(Label).delete({ id });
      record(labelEvent(LabelEventType.DELETED, label));
    });
  }

  async labelContact(ctx: RequestContext, contactId: string, labelId: string, on: boolean): Promise<Contact> {
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const contact = await findByIdOrFail(manager, Contact, contactId, 'Contact');
      const label = await this.setLink(manager, 'contact_labels', 'contact_id', contact.id, labelId, on);
      if (label) record(labelEvent(on ? LabelEventType.CONTACT_LABELED : LabelEventType.CONTACT_UNLABELED, label, contact.id));
      return contact;
    });
  }

  async labelConversation(ctx: RequestContext, conversationId: string, labelId: string, on: boolean): Promise<Conversation> {
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const conversation = await findByIdOrFail(manager, Conversation, conversationId, 'Conversation');
      const label = await this.setLink(manager, 'conversation_labels', 'conversation_id', conversation.id, labelId, on);
      if (label) record(labelEvent(on ? LabelEventType.CONVERSATION_LABELED : LabelEventType.CONVERSATION_UNLABELED, label, conversation.id));
      return conversation;
    });
  }

  /** Puts the label on or takes it off; returns it when that changed anything. */
  private async setLink(
    manager: EntityManager,
    table: 'contact_labels' | 'conversation_labels',
    ownerColumn: 'contact_id' | 'conversation_id',
    ownerId: string,
    labelId: string,
    on: boolean,
  ): Promise<Label | null> {
    const label = await findByIdOrFail(manager, Label, labelId, 'Label');
    // TypeORM answers an INSERT with its rows and a DELETE with [rows, count].
    const changed = on
      ? (await manager.query(`INSERT INTO ${table} (${ownerColumn}, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [ownerId, label.id]))
          .length
      : (await manager.query(`DELETE FROM ${table} WHERE ${ownerColumn} = $1 AND label_id = $2`, [ownerId, label.id]))[1];
    return changed > 0 ? label : null;
  }
}
