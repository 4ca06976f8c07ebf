import type { AuthCheckerFn } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import type { RequestContext } from './request-context';
import { PLATFORM_ADMIN } from './roles';

/**
 * `@Authorized()` admits any tenant member; `@Authorized(roles)` admits the listed roles.
 * Fails with UNAUTHENTICATED (no identity) or FORBIDDEN (wrong role) instead of a bare false.
 */
export const authChecker: AuthCheckerFn<RequestContext> = ({ context }, roles) => {
  const identity = context.identity;
  if (!identity) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
  if (identity.kind === 'platformAdmin') {
    if (roles.includes(PLATFORM_ADMIN)) return true;
    throw new AppError(ErrorCode.FORBIDDEN, 'Platform admins do not act inside tenants');
  }
  if (roles.length === 0 || roles.includes(identity.role)) return true;
  throw new AppError(ErrorCode.FORBIDDEN, `The ${identity.role} role may not do this`);
};
