import type { NonEmptyArray } from 'type-graphql';
import { AuthResolver } from './identity/auth.resolver';
import { MembersResolver } from './identity/members.resolver';
import { PlatformAdminResolver } from './platform-admin/platform-admin.resolver';
import { InboxSubscriptionsResolver } from './inbox/inbox-subscriptions.resolver';

/** Every resolver of the product; each is constructed with AppServices. */
export const moduleResolvers: NonEmptyArray<Function> = [AuthResolver, MembersResolver, PlatformAdminResolver, InboxSubscriptionsResolver];
