import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import { ContactType, type Contact } from '../contacts/contacts.module';
import { ConversationType, type Conversation } from '../inbox/inbox.module';
import type { Label } from './label.entity';
import { LabelService } from './label.service';
import { CreateLabelInput, LabelConnection, LabelType, UpdateLabelInput } from './label.types';

/** Labels: MANAGER defines them and labels contacts; AGENT labels the conversations they work. */
@Resolver(() => LabelType)
export class LabelResolver {
  private readonly labelService = new LabelService();

  @Authorized(Access.READ)
  @Query(() => LabelConnection, { description: 'By name' })
  labels(@Args() args: ConnectionArgs, @Ctx() ctx: RequestContext): Promise<Connection<Label>> {
    return this.labelService.list(ctx, args);
  }

  @Authorized(Access.READ)
  @Query(() => LabelType, { description: 'One label; null when there is no such label', nullable: true })
  label(@Arg('id', () => ID, { description: 'The label\'s ID' }) id: string, @Ctx() ctx: RequestContext): Promise<Label | null> {
    return this.labelService.find(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => LabelType, { description: 'Creates a label' })
  createLabel(@Arg('input', { description: 'The new label' }) input: CreateLabelInput, @Ctx() ctx: RequestContext): Promise<Label> {
    return this.labelService.create(ctx, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => LabelType, { description: 'Updates a label; omitted fields keep their value' })
  updateLabel(@Arg('id', () => ID, { description: 'The label to update' }) id: string, @Arg('input', { description: 'The fields to change' }) input: UpdateLabelInput, @Ctx() ctx: RequestContext): Promise<Label> {
    return this.labelService.update(ctx, id, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => Boolean, { description: 'Also takes the label off every contact and conversation' })
  async deleteLabel(@Arg('id', () => ID, { description: 'The label to delete' }) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    await this.labelService.delete(ctx, id);
    return true;
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactType, { description: 'Idempotent' })
  labelContact(@Arg('contactId', () => ID, { description: 'The contact to label' }) contactId: string, @Arg('labelId', () => ID, { description: 'The label to attach' }) labelId: string, @Ctx() ctx: RequestContext): Promise<Contact> {
    return this.labelService.labelContact(ctx, contactId, labelId, true);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactType, { description: 'Idempotent' })
  unlabelContact(@Arg('contactId', () => ID, { description: 'The contact to unlabel' }) contactId: string, @Arg('labelId', () => ID, { description: 'The label to detach' }) labelId: string, @Ctx() ctx: RequestContext): Promise<Contact> {
    return this.labelService.labelContact(ctx, contactId, labelId, false);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, { description: 'Idempotent' })
  labelConversation(
    @Arg('conversationId', () => ID, { description: 'The conversation to label' }) conversationId: string,
    @Arg('labelId', () => ID, { description: 'The label to attach' }) labelId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Conversation> {
    return this.labelService.labelConversation(ctx, conversationId, labelId, true);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, { description: 'Idempotent' })
  unlabelConversation(
    @Arg('conversationId', () => ID, { description: 'The conversation to unlabel' }) conversationId: string,
    @Arg('labelId', () => ID, { description: 'The label to detach' }) labelId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Conversation> {
    return this.labelService.labelConversation(ctx, conversationId, labelId, false);
  }
}
