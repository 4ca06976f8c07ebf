import type { AuthCheckerFn } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import { scopeRefusal, type OperationArea, type OperationKind } from '../auth/api-key-scopes';
import type { RequestContext } from './request-context';
import { PLATFORM_ADMIN } from './roles';

/** The area of a root field (`query.contacts`, `mutation.createOrder`…); undefined: outside every area. */
export type AreaOf = (kind: OperationKind, field: string) => OperationArea | undefined;

/**
 * `@Authorized()` admits any tenant member; `@Authorized(roles)` admits the listed roles; an API
 * key must also hold a scope for the operation's area (root fields only; see ApiKeyScope).
 * Fails with UNAUTHENTICATED (no identity) or FORBIDDEN (wrong role or scope) instead of a bare false.
 */
export function createAuthChecker(areaOf: AreaOf = () => undefined): AuthCheckerFn<RequestContext> {
  return ({ context, info }, roles) => {
    const identity = context.identity;
    if (!identity) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
    if (identity.kind === 'platformAdmin') {
      if (roles.includes(PLATFORM_ADMIN)) return true;
      throw new AppError(ErrorCode.FORBIDDEN, 'Platform admins do not act inside tenants');
    }
    if (roles.length > 0 && !roles.includes(identity.role)) throw new AppError(ErrorCode.FORBIDDEN, `The ${identity.role} role may not do this`);
    if (identity.kind === 'apiKey' && info.path.prev === undefined) {
      const kind = info.operation.operation;
      const refusal = scopeRefusal(identity.scopes, areaOf(kind, info.fieldName) ?? null, kind, info.fieldName);
      if (refusal) throw new AppError(ErrorCode.FORBIDDEN, refusal);
    }
    return true;
  };
}

export const authChecker = createAuthChecker();
