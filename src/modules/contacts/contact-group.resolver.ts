import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import type { ContactGroup } from './contact-group.entity';
import { ContactGroupService } from './contact-group.service';
import { ContactGroupConnection, ContactGroupType, CreateContactGroupInput, UpdateContactGroupInput } from './contact-group.types';
import { memberCountByGroupIdLoader } from './contact.loaders';

/** Contact groups; members are listed with contacts(filter: { groupId }). */
@Resolver(() => ContactGroupType)
export class ContactGroupResolver {
  private readonly groupService = new ContactGroupService();

  @Authorized(Access.READ)
  @Query(() => ContactGroupConnection, { description: 'By name' })
  contactGroups(@Args() args: ConnectionArgs, @Ctx() ctx: RequestContext): Promise<Connection<ContactGroup>> {
    return this.groupService.list(ctx, args);
  }

  @Authorized(Access.READ)
  @Query(() => ContactGroupType, { description: 'One contact group; null when there is no such live group', nullable: true })
  contactGroup(@Arg('id', () => ID, { description: 'The group\'s ID' }) id: string, @Ctx() ctx: RequestContext): Promise<ContactGroup | null> {
    return this.groupService.find(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactGroupType, { description: 'Creates a contact group' })
  createContactGroup(@Arg('input', { description: 'The new group' }) input: CreateContactGroupInput, @Ctx() ctx: RequestContext): Promise<ContactGroup> {
    return this.groupService.create(ctx, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactGroupType, { description: 'Updates a contact group; omitted fields keep their value' })
  updateContactGroup(
    @Arg('id', () => ID, { description: 'The group to update' }) id: string,
    @Arg('input', { description: 'The fields to change' }) input: UpdateContactGroupInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ContactGroup> {
    return this.groupService.update(ctx, id, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => Boolean, { description: 'Soft delete; the contacts themselves stay' })
  async deleteContactGroup(@Arg('id', () => ID, { description: 'The group to delete' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    await this.groupService.softDelete(ctx, id);
    return true;
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactGroupType, { description: 'Up to 1,000 contacts per call; contacts already in the group are fine' })
  addContactsToGroup(
    @Arg('groupId', () => ID, { description: 'The group to add to' }) groupId: string,
    @Arg('contactIds', () => [ID], { description: 'Live contacts to add (NOT_FOUND if any is missing); ones already in the group are ignored' }) contactIds: string[],
    @Ctx() ctx: RequestContext,
  ): Promise<ContactGroup> {
    return this.groupService.addContacts(ctx, groupId, contactIds);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactGroupType, { description: 'Removes contacts from a group; contacts not in it are ignored' })
  removeContactsFromGroup(
    @Arg('groupId', () => ID, { description: 'The group to remove from' }) groupId: string,
    @Arg('contactIds', () => [ID], { description: 'Contacts to remove' }) contactIds: string[],
    @Ctx() ctx: RequestContext,
  ): Promise<ContactGroup> {
    return this.groupService.removeContacts(ctx, groupId, contactIds);
  }

  @FieldResolver(() => Int, { description: 'Live contacts in the group' })
  async memberCount(@Root() group: ContactGroup, @Ctx() ctx: RequestContext): Promise<number> {
    return (await memberCountByGroupIdLoader(ctx)).load(group.id);
  }
}
