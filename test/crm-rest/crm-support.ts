import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';
import { MEMBER_PASSWORD, inviteMember } from '../support/invite-member';
import { Contact } from '../../src/modules/contacts/contact.entity';
import { WhatsappProvider, WhatsappSession } from '../../src/modules/whatsapp/channels/whatsapp-session.entity';

export type Role = 'TENANT_ADMIN' | 'MANAGER' | 'AGENT' | 'AUDITOR';

export interface CrmTenant {
  tenantId: string;
  /** A token per role; TENANT_ADMIN is the owner who signed up. */
  tokens: Record<Role, string>;
}

/** A tenant with one user per role, each added through addMember and logged in like a real user. */
export async function setUpTenant(t: TestApp): Promise<CrmTenant> {
  const owner = await t.client.signUp();
  // The free plan allows 3 users; the pro plan has room for one per role.
  await t.app.platform.control.query(`UPDATE tenants SET plan_id = (SELECT id FROM subscription_plans WHERE code = 'pro') WHERE id = $1`, [owner.tenantId]);
  t.app.platform.registry.invalidate(owner.tenantId);
  const tokens = { TENANT_ADMIN: owner.token } as Record<Role, string>;
  for (const role of ['MANAGER', 'AGENT', 'AUDITOR'] as const) {
    const email = `${role.toLowerCase()}.${crypto.randomBytes(4).toString('hex')}@example.com`;
    const password = MEMBER_PASSWORD;
    await inviteMember(t.client, owner.token, { email, role, password });
    const login = await t.client.data('mutation ($input: LoginInput!) { login(input: $input) { token role } }', { input: { email, password } });
    assert.equal(login.login.role, role);
    tokens[role] = login.login.token;
  }
  return { tenantId: owner.tenantId, tokens };
}

/** The real server with two tenants, a and b, each with a user per role. */
export async function startCrmApp(env: Record<string, string> = {}): Promise<{ t: TestApp; a: CrmTenant; b: CrmTenant }> {
  const t = await startTestApp(env);
  const [a, b] = await Promise.all([setUpTenant(t), setUpTenant(t)]);
  return { t, a, b };
}

let phoneCounter = 0;
const uniquePhone = () => `1555${String(process.pid % 1000).padStart(3, '0')}${String(++phoneCounter).padStart(4, '0')}`;

/** Contacts inserted directly (their resolvers are another module's); returns their ids in order. */
export async function seedContacts(
  t: TestApp,
  tenantId: string,
  specs: Array<{ name?: string; optedOut?: boolean; deleted?: boolean }>,
): Promise<string[]> {
  return t.app.platform.router.withTenant(tenantId, async (manager) => {
    const ids: string[] = [];
    for (const [index, spec] of specs.entries()) {
      const result = await manager.getRepository(Contact).insert({
        name: spec.name ?? `Contact ${index}`,
        phone: uniquePhone(),
        optedOut: spec.optedOut ?? false,
        deletedAt: spec.deleted ? new Date() : null,
      });
      ids.push(result.identifiers[0].id);
    }
    return ids;
  });
}

export async function seedSession(t: TestApp, tenantId: string): Promise<string> {
  return t.app.platform.router.withTenant(tenantId, async (manager) => {
    const result = await manager.getRepository(WhatsappSession).insert({
      provider: WhatsappProvider.SANDBOX,
      name: 'Main line',
      externalSessionId: `sandbox-${crypto.randomUUID()}`,
    });
    return result.identifiers[0].id;
  });
}

interface Page {
  edges: Array<{ cursor: string; node: { id: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/**
 * Creates `initial` items, then walks the list five at a time, creating `insertsBetweenPages` more
 * after every page. The walk must return exactly the initial items, newest first, once each:
 * newer rows sort before the cursor and never shift the pages still to come.
 */
export async function assertPaginationRoundTrip(options: {
  create: (index: number) => Promise<string>;
  page: (after: string | null) => Promise<Page>;
  initial?: number;
  insertsBetweenPages?: number;
  /** Items already in the list when the test starts (they come after the initial ones). */
  existing?: string[];
}): Promise<void> {
  const initial = options.initial ?? 12;
  const created: string[] = [];
  for (let i = 0; i < initial; i += 1) created.push(await options.create(i));
  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  let extra = 0;
  for (;;) {
    const page = await options.page(after);
    assert.ok(page.edges.length <= 5, 'first=5 is honoured');
    seen.push(...page.edges.map((edge) => edge.node.id));
    pages += 1;
    if (!page.pageInfo.hasNextPage) break;
    assert.equal(page.pageInfo.endCursor, page.edges[page.edges.length - 1].cursor);
    after = page.pageInfo.endCursor;
    for (let i = 0; i < (options.insertsBetweenPages ?? 2); i += 1) await options.create(initial + extra++);
    assert.ok(pages < 50, 'pagination terminates');
  }
  assert.equal(new Set(seen).size, seen.length, 'no item is repeated');
  assert.deepEqual(seen, [...created.reverse(), ...(options.existing ?? [])], 'every item once, newest first, none of the later inserts');
  const last = await options.page(null);
  assert.equal(last.totalCount, initial + extra + (options.existing?.length ?? 0), 'totalCount counts everything');
}

/** The error's per-field details name `field`. */
export function assertFieldError(error: { extensions?: Record<string, unknown> }, field: string): void {
  const fields = ((error.extensions?.details as { fields?: Array<{ field: string }> })?.fields ?? []).map((f) => f.field);
  assert.ok(fields.some((f) => f === field || f.startsWith(`${field}.`)), `expected a detail for ${field}, got ${JSON.stringify(error.extensions)}`);
}
