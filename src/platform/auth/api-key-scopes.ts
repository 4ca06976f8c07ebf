/**
 * What an API key may touch, on top of its role. A key holds one or more scopes:
 * ADMIN allows everything its role allows; READ_ONLY allows every query and subscription and no
 * mutation; an area scope (INBOX, CONTACTS, ORDERS, CAMPAIGNS, WEBHOOKS) allows the queries,
 * subscriptions and mutations of that area. Operations outside every area (members, keys,
 * settings, the audit log) need ADMIN, or READ_ONLY to read them. Users are not scoped.
 */
export enum ApiKeyScope {
  READ_ONLY = 'READ_ONLY',
  INBOX = 'INBOX',
  CONTACTS = 'CONTACTS',
  ORDERS = 'ORDERS',
  CAMPAIGNS = 'CAMPAIGNS',
  WEBHOOKS = 'WEBHOOKS',
  ADMIN = 'ADMIN',
}

/** What each scope means, for the schema's enum descriptions and the partner guide. */
export const API_KEY_SCOPE_MEANINGS: Record<ApiKeyScope, string> = {
  READ_ONLY: 'Every query and subscription, no mutation',
  INBOX: 'Conversations, messages, WhatsApp lines, quick and auto replies, media',
  CONTACTS: 'Contacts, contact groups and labels',
  ORDERS: 'Orders',
  CAMPAIGNS: 'Campaigns',
  WEBHOOKS: 'Webhook endpoints, their deliveries, and the events feed',
  ADMIN: 'Everything the key’s role allows',
};

/** The area of an operation: a scope, `ANY` for operations every key may run (viewer), null for none. */
export type OperationArea = Exclude<ApiKeyScope, ApiKeyScope.READ_ONLY | ApiKeyScope.ADMIN> | 'ANY' | null;

export type OperationKind = 'query' | 'mutation' | 'subscription';

/** Why a key with `scopes` may not run an operation of `area` (null: it may). */
export function scopeRefusal(scopes: readonly ApiKeyScope[], area: OperationArea, kind: OperationKind, field: string): string | null {
  if (area === 'ANY' || scopes.includes(ApiKeyScope.ADMIN)) return null;
  if (area && scopes.includes(area)) return null;
  if (kind !== 'mutation' && scopes.includes(ApiKeyScope.READ_ONLY)) return null;
  const needed = area ? `${area}${kind === 'mutation' ? '' : ' or READ_ONLY'}` : kind === 'mutation' ? 'ADMIN' : 'ADMIN or READ_ONLY';
  return `This API key lacks the scope for ${field} (needs ${needed}; it has ${scopes.join(', ') || 'none'})`;
}
