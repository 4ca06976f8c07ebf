import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { AppError, ErrorCode } from '../../platform/errors';
import type { RequestContext } from '../../platform/graphql/request-context';
import { AuthPayload, LoginInput, Me, SignUpInput } from './identity.types';
import type { IdentityService } from './identity.service';

@Resolver()
export class AuthResolver {
  constructor(private readonly identity: IdentityService) {}

  @Mutation(() => AuthPayload, { description: 'Creates an organisation with its own database and you as its admin' })
  signUp(@Arg('input') input: SignUpInput): Promise<AuthPayload> {
    return this.identity.signUp(input);
  }

  @Mutation(() => AuthPayload)
  login(@Arg('input') input: LoginInput): Promise<AuthPayload> {
    return this.identity.login(input);
  }

  @Authorized()
  @Query(() => Me)
  me(@Ctx() ctx: RequestContext): Promise<Me> {
    const identity = ctx.identity;
    if (identity?.kind !== 'user') throw new AppError(ErrorCode.FORBIDDEN, 'Only users have a profile');
    return this.identity.me(identity);
  }
}
