import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { InboundAutoReplies } from '../inbound/inbound-auto-replies';
import type { RequestContext } from '../../../platform/graphql/request-context';
import { Access } from '../../../platform/graphql/roles';
import { WhatsappSettingsService } from './whatsapp-settings.service';
import { UpdateWhatsappSettingsInput, WhatsappSettingsType } from './whatsapp-settings.types';

@Resolver()
export class WhatsappSettingsResolver {
  private readonly service = new WhatsappSettingsService();

  constructor(private readonly autoReplies: Pick<InboundAutoReplies, 'invalidate'>) {}

  @Authorized(Access.READ)
  @Query(() => WhatsappSettingsType, { nullable: true, description: 'Null when there is no such channel' })
  whatsappSettings(@Arg('sessionId', () => ID, { description: 'The channel (WhatsApp session) whose settings to read' }) sessionId: string, @Ctx() ctx: RequestContext): Promise<WhatsappSettingsType | null> {
    return this.service.get(ctx, sessionId);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => WhatsappSettingsType, { description: 'Updates a channel\'s settings (e.g. business hours); omitted fields keep their value' })
  async updateWhatsappSettings(
    @Arg('sessionId', () => ID, { description: 'The channel (WhatsApp session) whose settings to change' }) sessionId: string,
    @Arg('input', () => UpdateWhatsappSettingsInput, { description: 'The fields to change' }) input: UpdateWhatsappSettingsInput,
    @Ctx() ctx: RequestContext,
  ): Promise<WhatsappSettingsType> {
    const settings = await this.service.update(ctx, sessionId, input);
    // Business hours feed the auto-replies' cached plans.
    this.autoReplies.invalidate(ctx.tenant().tenantId);
    return settings;
  }
}
