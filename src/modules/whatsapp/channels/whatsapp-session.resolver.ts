import { isUUID } from 'class-validator';
import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { SandboxProvider } from '../../../channels/sandbox/sandbox-provider';
import { AppError, ErrorCode, notFound, validationFailed } from '../../../platform/errors';
import type { RequestContext } from '../../../platform/graphql/request-context';
import { Access } from '../../../platform/graphql/roles';
import { MessageObjectType as MessageType } from '../../inbox/inbox.module';
import type { ChannelEventIngest } from '../inbound/channel-event-ingest';
import type { SessionProviders } from './session-providers';
import type { WhatsAppSessions } from './whatsapp-session.service';
import { WhatsappProvider } from './whatsapp-session.entity';
import { ConnectWhatsAppInput, SimulateInboundMessageInput, WhatsappSessionType } from './whatsapp-session.types';

/** WhatsApp channels: connect (WAHA QR, Cloud API number, sandbox), list, disconnect, and the sandbox's simulated customer. */
@Resolver()
export class WhatsappSessionResolver {
  constructor(private readonly deps: { sessions: WhatsAppSessions; providers: SessionProviders; ingest: ChannelEventIngest }) {}

  @Authorized(Access.READ)
  @Query(() => [WhatsappSessionType], { description: "The tenant's WhatsApp channels, oldest first" })
  async whatsappSessions(@Ctx() ctx: RequestContext): Promise<WhatsappSessionType[]> {
    return this.deps.sessions.list(await ctx.tenant().manager());
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => WhatsappSessionType, {
    description:
      'Connects a channel: WAHA starts a session (scan `qrCode` while status is SCAN_QR_CODE), CLOUD checks the credentials, SANDBOX is WORKING at once',
  })
  async connectWhatsApp(@Arg('input', { description: 'The provider and its credentials for the new channel' }) input: ConnectWhatsAppInput, @Ctx() ctx: RequestContext): Promise<WhatsappSessionType> {
    return this.deps.sessions.connect(ctx, input);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => WhatsappSessionType, { description: 'Stops a channel; with logout: true the phone must scan a new QR next time' })
  async disconnectWhatsApp(
    @Arg('id', () => ID, { description: 'The channel (WhatsApp session) to stop' }) id: string,
    @Arg('logout', { description: 'Also log the phone out, so the next connect needs a new QR scan; default false', defaultValue: false }) logout: boolean,
    @Ctx() ctx: RequestContext,
  ): Promise<WhatsappSessionType> {
    if (!isUUID(id)) throw notFound('WhatsApp session');
    return this.deps.sessions.disconnect(ctx, id, logout);
  }

  @Authorized(Access.WORK)
  @Mutation(() => MessageType, {
    description: 'SANDBOX channels only: a simulated customer sends a message, stored and published like a real inbound one',
  })
  async simulateInboundMessage(@Arg('input', { description: 'The SANDBOX channel, sender phone and message text' }) input: SimulateInboundMessageInput, @Ctx() ctx: RequestContext): Promise<MessageType> {
    const tenant = ctx.tenant();
    const { sessions, providers, ingest } = this.deps;
    const manager = await tenant.manager();
    const session = await sessions.find(manager, input.sessionId);
    if (session.provider !== WhatsappProvider.SANDBOX) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Only SANDBOX channels can simulate customers', { field: 'sessionId' });
    }
    const { provider } = await providers.get(tenant.tenantId, session.id, manager);
    let event;
    try {
      event = (provider as SandboxProvider).simulateInbound({ from: input.from, body: input.body, fromName: input.fromName });
    } catch (error) {
      throw validationFailed((error as Error).message, { field: 'from' });
    }
    const stored = await ingest.inboundMessage({ tenantId: tenant.tenantId, sessionId: session.id }, event);
    if (!stored.message) throw validationFailed('from is not a phone number a contact can have', { field: 'from' });
    return stored.message as unknown as MessageType;
  }
}
