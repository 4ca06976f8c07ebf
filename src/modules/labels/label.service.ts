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
    const repository = (await ctx.tenant().manager()).getRepository(Label);
    const label = repository.create({ name: input.name.trim(), ...(input.color ? { color: input.color.toLowerCase() } : {}) });
    return withDbErrors(() => repository.save(label), LABEL_CONFLICTS);
  }

  async update(ctx: RequestContext, id: string, input: UpdateLabelInput): Promise<Label> {
    const manager = await ctx.tenant().manager();
    const label = await findByIdOrFail(manager, Label, id, 'Label');
    if (input.name !== undefined && input.name !== null) label.name = input.name.trim();
    if (input.color !== undefined && input.color !== null) label.color = input.color.toLowerCase();
    return withDbErrors(() => manager.getRepository(Label).save(label), LABEL_CONFLICTS);
  }

  /** Deletes the label and takes it off every contact and conversation (cascade). */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('Label');
    const result = await (await ctx.tenant().manager()).getRepository(Label).delete({ id });
    if (!result.affected) throw notFound('Label');
  }

  async labelContact(ctx: RequestContext, contactId: string, labelId: string, on: boolean): Promise<Contact> {
    const manager = await ctx.tenant().manager();
    const contact = await findByIdOrFail(manager, Contact, contactId, 'Contact');
    await this.setLink(manager, 'contact_labels', 'contact_id', contact.id, labelId, on);
    return contact;
  }

  async labelConversation(ctx: RequestContext, conversationId: string, labelId: string, on: boolean): Promise<Conversation> {
    const manager = await ctx.tenant().manager();
    const conversation = await findByIdOrFail(manager, Conversation, conversationId, 'Conversation');
    await this.setLink(manager, 'conversation_labels', 'conversation_id', conversation.id, labelId, on);
    return conversation;
  }

  private async setLink(
    manager: EntityManager,
    table: 'contact_labels' | 'conversation_labels',
    ownerColumn: 'contact_id' | 'conversation_id',
    ownerId: string,
    labelId: string,
    on: boolean,
  ): Promise<void> {
    const label = await findByIdOrFail(manager, Label, labelId, 'Label');
    if (on) {
      await manager.query(`INSERT INTO ${table} (${ownerColumn}, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [ownerId, label.id]);
    } else {
      await manager.query(`DELETE FROM ${table} WHERE ${ownerColumn} = $1 AND label_id = $2`, [ownerId, label.id]);
    }
  }
}
