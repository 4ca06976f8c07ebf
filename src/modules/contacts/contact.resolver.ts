import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import type { Contact } from './contact.entity';
import { ContactImportService } from './contact-import.service';
import { ContactImportResult } from './contact-import.types';
import { ContactGroupType } from './contact-group.types';
import { groupsByContactIdLoader } from './contact.loaders';
import { ContactService } from './contact.service';
import { ContactConnection, ContactFilter, ContactType, CreateContactInput, UpdateContactInput } from './contact.types';

/** Contacts: everyone reads; MANAGER and TENANT_ADMIN change them. */
@Resolver(() => ContactType)
export class ContactResolver {
  private readonly contactService = new ContactService();
  private readonly imports = new ContactImportService();

  @Authorized(Access.READ)
  @Query(() => ContactConnection, { description: 'Live contacts, newest first' })
  contacts(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => ContactFilter, { description: 'Narrows the list; omitted means all', nullable: true }) filter: ContactFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<Contact>> {
    return this.contactService.list(ctx, args, filter);
  }

  @Authorized(Access.READ)
  @Query(() => ContactType, { nullable: true, description: 'null when there is no such live contact' })
  contact(@Arg('id', () => ID, { description: 'The contact\'s ID' }) id: string, @Ctx() ctx: RequestContext): Promise<Contact | null> {
    return this.contactService.find(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactType, { description: 'Fails with CONFLICT when a live contact has the phone, PLAN_LIMIT_REACHED when the plan is full' })
  createContact(@Arg('input', { description: 'The new contact' }) input: CreateContactInput, @Ctx() ctx: RequestContext): Promise<Contact> {
    return this.contactService.create(ctx, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactType, { description: 'Updates a contact; omitted fields keep their value' })
  updateContact(@Arg('id', () => ID, { description: 'The contact to update' }) id: string, @Arg('input', { description: 'The fields to change' }) input: UpdateContactInput, @Ctx() ctx: RequestContext): Promise<Contact> {
    return this.contactService.update(ctx, id, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => Boolean, { description: 'Soft delete: the contact disappears from lists; restoreContact brings it back' })
  async deleteContact(@Arg('id', () => ID, { description: 'The contact to delete' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    await this.contactService.softDelete(ctx, id);
    return true;
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactType, { description: 'Undoes deleteContact (CONFLICT if another contact took the phone meanwhile)' })
  restoreContact(@Arg('id', () => ID, { description: 'The deleted contact to restore' }) id: string, @Ctx() ctx: RequestContext): Promise<Contact> {
    return this.contactService.restore(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactImportResult, {
    description: 'CSV with the header name,phone,email (at most 2 MiB, 10,000 rows). Valid rows are imported in one transaction; bad rows are reported by line',
  })
  importContacts(@Arg('csv', { description: 'The CSV text, header name,phone,email' }) csv: string, @Ctx() ctx: RequestContext): Promise<ContactImportResult> {
    return this.imports.import(ctx, csv);
  }

  @FieldResolver(() => [ContactGroupType], { description: 'Groups the contact belongs to' })
  async groups(@Root() contact: Contact, @Ctx() ctx: RequestContext) {
    return (await groupsByContactIdLoader(ctx)).load(contact.id);
  }
}
