import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TestApp } from '../support/test-app';
import { Document } from '../../src/modules/documents/document.entity';
import { assertFieldError, startCrmApp, assertPaginationRoundTrip, setUpTenant, type CrmTenant } from './crm-support';

const MAX_UPLOAD_BYTES = 4096;
const FIELDS = 'id filename contentType sizeBytes sha256 source contentUrl createdAt';
const UPLOAD = `mutation ($input: UploadDocumentInput!) { uploadDocument(input: $input) { ${FIELDS} } }`;
const LIST = `query ($first: Int, $after: String, $filter: DocumentFilter) {
  documents(first: $first, after: $after, filter: $filter) { totalCount edges { cursor node { ${FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(200)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(100)]);
const input = (bytes: Buffer, contentType: string, filename = 'file.bin') => ({ input: { filename, contentType, contentBase64: bytes.toString('base64') } });

describe('documents', () => {
  let t: TestApp;
  let a: CrmTenant;
  let b: CrmTenant;
  before(async () => ({ t, a, b } = await startCrmApp({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) })));
  after(() => t.stop());

  const mediaDir = (tenantId: string) => path.join(t.app.config.DATA_DIR, 'media', tenantId);
  const filesOf = (tenantId: string): string[] =>
    fs.existsSync(mediaDir(tenantId)) ? fs.readdirSync(mediaDir(tenantId), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
  const documentRows = (tenantId: string) => t.app.platform.router.withTenant(tenantId, (m) => m.getRepository(Document).count({ withDeleted: true }));
  const content = (id: string, token?: string) =>
    fetch(`${t.url}/documents/${id}/content`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  test('upload, then download the same bytes as the tenant', async () => {
    const { uploadDocument: doc } = await t.client.data(UPLOAD, input(PNG, 'image/PNG', '../../etc/passwd <photo>.png'), a.tokens.AGENT);
    assert.equal(doc.contentType, 'image/png');
    assert.equal(doc.filename, 'passwd photo.png', 'path and unsafe characters dropped');
    assert.equal(doc.sizeBytes, PNG.length);
    assert.equal(doc.sha256, crypto.createHash('sha256').update(PNG).digest('hex'));
    assert.equal(doc.source, 'UPLOAD');
    assert.equal(doc.contentUrl, `/documents/${doc.id}/content`);

    const stored = fs.readFileSync(path.join(mediaDir(a.tenantId), doc.sha256.slice(0, 2), doc.sha256));
    assert.ok(stored.equals(PNG), 'stored under DATA_DIR/media/<tenant>/ by hash');

    for (const role of ['AUDITOR', 'TENANT_ADMIN'] as const) {
      const response = await content(doc.id, a.tokens[role]);
      assert.equal(response.status, 200);
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(PNG));
      assert.equal(response.headers.get('content-type'), 'image/png');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.match(response.headers.get('content-disposition')!, /^attachment; filename="passwd photo.png"/);
    }

    const { document } = await t.client.data(`query ($id: ID!) { document(id: $id) { ${FIELDS} } }`, { id: doc.id }, a.tokens.AUDITOR);
    assert.deepEqual(document, doc);
  });

  test('the content route refuses strangers: 401 without or with a bad token, 404 across tenants', async () => {
    const { uploadDocument: doc } = await t.client.data(UPLOAD, input(PDF, 'application/pdf', 'invoice.pdf'), a.tokens.MANAGER);
    const anonymous = await content(doc.id);
    assert.equal(anonymous.status, 401);
    assert.equal((await content(doc.id, 'not-a-jwt')).status, 401);
    assert.equal((await content(doc.id, 'crm_notAKey')).status, 401);
    const otherTenant = await content(doc.id, b.tokens.TENANT_ADMIN);
    assert.equal(otherTenant.status, 404);
    assert.doesNotMatch(await otherTenant.text(), /PDF/);
    assert.equal((await content('not-a-uuid', a.tokens.AGENT)).status, 404);
    assert.equal((await content(crypto.randomUUID(), a.tokens.AGENT)).status, 404);
    assert.equal((await t.client.data(`query ($id: ID!) { document(id: $id) { id } }`, { id: doc.id }, b.tokens.TENANT_ADMIN)).document, null);
    await t.client.expectError('NOT_FOUND', 'mutation ($id: ID!) { deleteDocument(id: $id) }', { id: doc.id }, b.tokens.TENANT_ADMIN);
  });

  test('size, type and magic bytes are checked, and nothing is stored on failure', async () => {
    const tenant = await setUpTenant(t);
    const oversize = Buffer.concat([PNG, Buffer.alloc(MAX_UPLOAD_BYTES)]);
    const tooBig = await t.client.expectError('VALIDATION_FAILED', UPLOAD, input(oversize, 'image/png'), tenant.tokens.AGENT);
    assert.equal((tooBig.extensions as any).details.maxBytes, MAX_UPLOAD_BYTES);
    assertFieldError(tooBig, 'contentBase64');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPLOAD, input(PDF, 'image/png'), tenant.tokens.AGENT), 'contentType');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPLOAD, input(PNG, 'application/pdf'), tenant.tokens.AGENT), 'contentType');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPLOAD, input(Buffer.from('<html><script>x</script>'), 'text/html'), tenant.tokens.AGENT), 'contentType');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPLOAD, input(Buffer.from([0x00, 0x01, 0xff]), 'text/plain'), tenant.tokens.AGENT), 'contentType');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPLOAD, input(Buffer.from('<svg/>'), 'image/svg+xml'), tenant.tokens.AGENT), 'contentType');
    assertFieldError(
      await t.client.expectError('VALIDATION_FAILED', UPLOAD, { input: { filename: 'x.png', contentType: 'image/png', contentBase64: 'iVBO!!==' } }, tenant.tokens.AGENT),
      'contentBase64',
    );
    assert.deepEqual(filesOf(tenant.tenantId), [], 'no file written');
    assert.equal(await documentRows(tenant.tenantId), 0, 'no row written');

    // Exactly at the limit is fine; identical content is stored once.
    const atLimit = Buffer.concat([PNG, Buffer.alloc(MAX_UPLOAD_BYTES - PNG.length)]);
    const first = (await t.client.data(UPLOAD, input(atLimit, 'image/png', 'a.png'), tenant.tokens.AGENT)).uploadDocument;
    const second = (await t.client.data(UPLOAD, input(atLimit, 'image/png', 'b.png'), tenant.tokens.AGENT)).uploadDocument;
    assert.notEqual(first.id, second.id);
    assert.equal(first.sha256, second.sha256);
    assert.deepEqual(filesOf(tenant.tenantId), [first.sha256]);
    const csv = (await t.client.data(UPLOAD, input(Buffer.from('name,phone\nAna,1555\n'), 'text/csv', 'list.csv'), tenant.tokens.AGENT)).uploadDocument;
    assert.equal(csv.contentType, 'text/csv');
  });

  test('list, filter and soft delete (the file is kept)', async () => {
    const tenant = await setUpTenant(t);
    const png = (await t.client.data(UPLOAD, input(PNG, 'image/png', 'Holiday photo.png'), tenant.tokens.AGENT)).uploadDocument;
    const pdf = (await t.client.data(UPLOAD, input(PDF, 'application/pdf', 'Invoice 7.pdf'), tenant.tokens.AGENT)).uploadDocument;
    const found = await t.client.data(LIST, { filter: { search: 'invoice' } }, tenant.tokens.AUDITOR);
    assert.deepEqual(found.documents.edges.map((e: any) => e.node.id), [pdf.id]);
    const uploads = await t.client.data(LIST, { filter: { source: 'UPLOAD' } }, tenant.tokens.AUDITOR);
    assert.equal(uploads.documents.totalCount, 2);

    await t.client.expectError('FORBIDDEN', 'mutation ($id: ID!) { deleteDocument(id: $id) }', { id: png.id }, tenant.tokens.AGENT);
    assert.equal((await t.client.data('mutation ($id: ID!) { deleteDocument(id: $id) }', { id: png.id }, tenant.tokens.MANAGER)).deleteDocument, true);
    assert.equal((await t.client.data(`query ($id: ID!) { document(id: $id) { id } }`, { id: png.id }, tenant.tokens.MANAGER)).document, null);
    assert.equal((await content(png.id, tenant.tokens.MANAGER)).status, 404, 'a deleted document is not served');
    assert.equal((await t.client.data(LIST, {}, tenant.tokens.AUDITOR)).documents.totalCount, 1);
    assert.ok(filesOf(tenant.tenantId).includes(png.sha256), 'soft delete keeps the file (restorable)');
  });

  test('roles: auditors cannot upload', async () => {
    await t.client.expectError('FORBIDDEN', UPLOAD, input(PNG, 'image/png'), a.tokens.AUDITOR);
    await t.client.expectError('UNAUTHENTICATED', UPLOAD, input(PNG, 'image/png'));
  });

  test('pagination: first=5 across pages with inserts between pages', async () => {
    const tenant = await setUpTenant(t);
    await assertPaginationRoundTrip({
      create: async (i) => (await t.client.data(UPLOAD, input(Buffer.from(`note ${i}`), 'text/plain', `note-${i}.txt`), tenant.tokens.AGENT)).uploadDocument.id,
      page: async (cursor) => (await t.client.data(LIST, { first: 5, after: cursor }, tenant.tokens.AUDITOR)).documents,
    });
  });
});
