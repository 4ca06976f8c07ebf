import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { INBOX_PAGE, memberWithRole, seedInbox, setPlanLimits } from '../support/crm-fixtures';


// Every SQL statement of the request is counted (tenant and control database alike) and exposed as
// extensions.sqlStatements by the test app (EXPOSE_SQL_COUNT=true).
for (const mode of ['database', 'schema'] as const) {
  describe(`SQL statements behind one inbox page in ${mode} mode`, () => {
    let t: TestApp;
    let owner: SignedUp;
    before(async () => {
      t = await startTestApp({ TENANCY_MODE: mode });
      owner = await t.client.signUp({ name: 'Owner' });
      await setPlanLimits(t, owner.tenantId);
      const agents = await Promise.all([memberWithRole(t, owner, 'AGENT'), memberWithRole(t, owner, 'MANAGER')]);
      await seedInbox(t, owner.tenantId, { conversations: 300, messagesPerConversation: 4, labels: 6, assigneeIds: [owner.userId, ...agents.map((a) => a.userId)] });
    });
    after(() => t.stop());

    test('is small and the same for 10 and for 50 conversations', async () => {
      await t.client.data(INBOX_PAGE, { first: 5 }, owner.token); // warm the tenant registry cache
      const counts: Record<number, number> = {};
      for (const first of [10, 50]) {
        const result = await t.client.request(INBOX_PAGE, { first }, owner.token);
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        const { edges, totalCount } = result.data.conversations;
        assert.equal(edges.length, first);
        assert.equal(totalCount, 300);
        // The page really has every relation filled in, so the count covers them all.
        assert.ok(edges.every((e: any) => e.node.contact.name && e.node.lastMessage.body && e.node.labels.length > 0));
        assert.ok(edges.some((e: any) => e.node.assignee?.name) && edges.some((e: any) => e.node.assignee === null));
        counts[first] = result.extensions!.sqlStatements!;
      }
      console.log(`# ${mode} mode: sqlStatements first=10 → ${counts[10]}, first=50 → ${counts[50]}`);
      assert.equal(counts[10], counts[50], 'the count does not grow with the page');
      assert.ok(counts[10] <= 6, `at most 6 statements, got ${counts[10]}`);
    });
  });
}
