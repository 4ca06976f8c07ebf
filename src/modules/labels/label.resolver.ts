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
  @Query(() => LabelType, { nullable: true })
  label(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Label | null> {
    return this.labelService.find(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => LabelType)
  createLabel(@Arg('input') input: CreateLabelInput, @Ctx() ctx: RequestContext): Promise<Label> {
    return this.labelService.create(ctx, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => LabelType)
  updateLabel(@Arg('id', () => ID) id: string, @Arg('input') input: UpdateLabelInput, @Ctx() ctx: RequestContext): Promise<Label> {
    return this.labelService.update(ctx, id, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => Boolean, { description: 'Also takes the label off every contact and conversation' })
  async deleteLabel(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    await this.labelService.delete(ctx, id);
    return true;
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactType, { description: 'Idempotent' })
  labelContact(@Arg('contactId', () => ID) contactId: string, @Arg('labelId', () => ID) labelId: string, @Ctx() ctx: RequestContext): Promise<Contact> {
    return this.labelService.labelContact(ctx, contactId, labelId, true);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => ContactType, { description: 'Idempotent' })
  unlabelContact(@Arg('contactId', () => ID) contactId: string, @Arg('labelId', () => ID) labelId: string, @Ctx() ctx: RequestContext): Promise<Contact> {
    return this.labelService.labelContact(ctx, contactId, labelId, false);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, { description: 'Idempotent' })
  labelConversation(
    @Arg('conversationId', () => ID) conversationId: string,
    @Arg('labelId', () => ID) labelId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Conversation> {
    return this.labelService.labelConversation(ctx, conversationId, labelId, true);
  }

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, { description: 'Idempotent' })
  unlabelConversation(
    @Arg('conversationId', () => ID) conversationId: string,
    @Arg('labelId', () => ID) labelId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Conversation> {
    return this.labelService.labelConversation(ctx, conversationId, labelId, false);
  }
}
