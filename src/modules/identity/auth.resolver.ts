import { isEmail } from 'class-validator';
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { AppError, ErrorCode } from '../../platform/errors';
import { Access, PLATFORM_ADMIN } from '../../platform/graphql/roles';
import type { RequestContext } from '../../platform/graphql/request-context';
import { AcceptInvitationTokenInput, AuthPayload, CreatedSignUpInvitation, LoginInput, Me, SignUpInput, Viewer } from './identity.types';
import type { IdentityService } from './identity.service';
import type { InvitationService } from './invitation.service';

@Resolver()
export class AuthResolver {
  constructor(
    private readonly identity: IdentityService,
    private readonly invitations: InvitationService,
  ) {}

  @Mutation(() => AuthPayload, {
    description: 'Creates an organisation with its own database and you as its admin (limited per address; see SIGNUP_MODE)',
  })
  signUp(@Arg('input', { description: 'The new account and organisation' }) input: SignUpInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return this.identity.signUp(input, ctx.clientAddress ?? null);
  }

  @Mutation(() => AuthPayload, { description: 'Refused with RATE_LIMITED for a while after repeated failures (per account and address)' })
  login(@Arg('input', { description: 'Email and password' }) input: LoginInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return this.identity.login(input, ctx.clientAddress ?? null);
  }

  @Mutation(() => AuthPayload, {
    description: "Accepts a member invitation with its token: a new account with the password (and name) given, or an existing account with its own password",
  })
  acceptInvitationToken(@Arg('input', { description: 'The invitation token and, for a new account, its sign-up details' }) input: AcceptInvitationTokenInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return this.invitations.acceptWithToken(ctx, input, ctx.clientAddress ?? null);
  }

  @Authorized(Access.PLATFORM)
  @Mutation(() => CreatedSignUpInvitation, { description: 'Lets one email sign up while SIGNUP_MODE=invite' })
  createSignUpInvitation(
    @Arg('email', { description: 'Email address the sign-up invitation is for' }) email: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CreatedSignUpInvitation> {
    if (ctx.identity?.kind !== 'platformAdmin') throw new AppError(ErrorCode.FORBIDDEN, 'Only platform admins invite sign-ups');
    if (!isEmail(email.trim()) || email.length > 320) throw new AppError(ErrorCode.VALIDATION_FAILED, 'email is not an email address', { fields: [{ field: 'email', messages: ['must be an email'] }] });
    return this.identity.createSignUpInvitation(ctx.identity.adminId, email);
  }

  @Authorized()
  @Query(() => Me, { nullable: true, description: "The signed-in member's profile; null for an API key (ask `viewer`, which answers for keys too)" })
  async me(@Ctx() ctx: RequestContext): Promise<Me | null> {
    const identity = ctx.identity;
    if (identity?.kind !== 'user') return null;
    return this.identity.me(identity);
  }

  @Authorized([...Access.READ, PLATFORM_ADMIN])
  @Query(() => Viewer, { description: 'Who is calling (a member, an API key or a platform admin): tenant, role, scopes. Every key may ask' })
  viewer(@Ctx() ctx: RequestContext): Promise<Viewer> {
    return this.identity.viewer(ctx.identity!);
  }
}
