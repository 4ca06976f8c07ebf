import { Authorized, Resolver, Root, Subscription } from 'type-graphql';
import { Access } from '../../../platform/graphql/roles';
import type { TenantEvent } from '../../../platform/realtime/tenant-events';
import { tenantEvents } from '../../inbox/inbox.module';
import { whatsappSessionFromEvent } from './whatsapp-session-events';
import { WhatsappSessionType } from './whatsapp-session.types';

/** The live channel status, next to the inbox's subscriptions. */
@Resolver()
export class WhatsappSessionSubscriptionResolver {
  @Authorized(Access.READ)
  @Subscription(() => WhatsappSessionType, {
    description: 'WhatsApp channels whose status, QR code or number changed',
    subscribe: tenantEvents(() => ({ types: ['whatsappSessionUpdated'] })),
  })
  whatsappSessionUpdated(@Root() event: TenantEvent): WhatsappSessionType {
    return whatsappSessionFromEvent(event);
  }
}
