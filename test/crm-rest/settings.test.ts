import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { TestApp } from '../support/test-app';
import { TenantConfigService } from '../../src/modules/settings/tenant-config.service';
import { assertFieldError, startCrmApp, seedSession, setUpTenant, type CrmTenant } from './crm-support';

const MASTER = '{ masterConfig { businessName timezone currency locale updatedAt } }';
const UPDATE_MASTER = 'mutation ($input: UpdateMasterConfigInput!) { updateMasterConfig(input: $input) { businessName timezone currency locale } }';
const CONFIG = '{ tenantConfig { key isSecret hasValue value updatedAt } }';
const SET = 'mutation ($key: String!, $value: JSON) { setTenantConfig(key: $key, value: $value) { key isSecret hasValue value } }';
const SET_SECRET = 'mutation ($key: String!, $value: String!) { setTenantSecret(key: $key, value: $value) { key isSecret hasValue value } }';
const WA = `query ($sessionId: ID!) { whatsappSettings(sessionId: $sessionId) {
  sessionId timezone markReadOnReply updatedAt businessHours { mon { open close } tue { open close } wed { open close } thu { open close } fri { open close } sat { open close } sun { open close } }
} }`;
const UPDATE_WA = `mutation ($sessionId: ID!, $input: UpdateWhatsappSettingsInput!) { updateWhatsappSettings(sessionId: $sessionId, input: $input) {
  sessionId timezone markReadOnReply updatedAt businessHours { mon { open close } tue { open close } sat { open close } sun { open close } }
} }`;

describe('settings', () => {
  let t: TestApp;
  let a: CrmTenant;
  let b: CrmTenant;
  before(async () => ({ t, a, b } = await startCrmApp()));
  after(() => t.stop());

  test('master config: everyone reads, only the admin updates, values are validated', async () => {
    const initial = (await t.client.data(MASTER, {}, a.tokens.AUDITOR)).masterConfig;
    assert.equal(initial.timezone, 'UTC');
    const { updateMasterConfig } = await t.client.data(
      UPDATE_MASTER,
      { input: { businessName: '  Padaria Sol ', timezone: 'america/sao_paulo', currency: 'BRL', locale: 'pt-br' } },
      a.tokens.TENANT_ADMIN,
    );
    assert.deepEqual(updateMasterConfig, { businessName: 'Padaria Sol', timezone: 'America/Sao_Paulo', currency: 'BRL', locale: 'pt-BR' });
    const partial = (await t.client.data(UPDATE_MASTER, { input: { currency: 'EUR' } }, a.tokens.TENANT_ADMIN)).updateMasterConfig;
    assert.equal(partial.timezone, 'America/Sao_Paulo', 'fields not given stay');
    assert.equal((await t.client.data(MASTER, {}, a.tokens.AGENT)).masterConfig.currency, 'EUR');
    assert.equal((await t.client.data(MASTER, {}, b.tokens.AGENT)).masterConfig.currency, 'USD', 'other tenants keep their own');

    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPDATE_MASTER, { input: { timezone: 'Mars/Olympus' } }, a.tokens.TENANT_ADMIN), 'timezone');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPDATE_MASTER, { input: { timezone: '+01:00' } }, a.tokens.TENANT_ADMIN), 'timezone');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPDATE_MASTER, { input: { currency: 'EURO' } }, a.tokens.TENANT_ADMIN), 'currency');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPDATE_MASTER, { input: { currency: 'XYZ' } }, a.tokens.TENANT_ADMIN), 'currency');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPDATE_MASTER, { input: { locale: 'not a locale!' } }, a.tokens.TENANT_ADMIN), 'locale');
    for (const role of ['MANAGER', 'AGENT', 'AUDITOR'] as const) {
      await t.client.expectError('FORBIDDEN', UPDATE_MASTER, { input: { businessName: 'x' } }, a.tokens[role]);
    }
  });

  test('tenant config: plain values readable, secrets write-only and encrypted at rest', async () => {
    const secret = `sk_live_${crypto.randomBytes(12).toString('hex')}`;
    const plain = (await t.client.data(SET, { key: 'checkout.url', value: { url: 'https://shop.example', retries: 3 } }, a.tokens.TENANT_ADMIN)).setTenantConfig;
    assert.deepEqual(plain, { key: 'checkout.url', isSecret: false, hasValue: true, value: { url: 'https://shop.example', retries: 3 } });

    const setSecret = await t.client.request(SET_SECRET, { key: 'payments.apiKey', value: secret }, a.tokens.TENANT_ADMIN);
    assert.deepEqual(setSecret.data.setTenantSecret, { key: 'payments.apiKey', isSecret: true, hasValue: true, value: null });
    assert.ok(!JSON.stringify(setSecret).includes(secret), 'the mutation does not echo the secret');

    // No settings query, by any role, carries the secret anywhere in its response.
    const sessionId = await seedSession(t, a.tenantId);
    for (const role of ['TENANT_ADMIN', 'MANAGER', 'AGENT', 'AUDITOR'] as const) {
      for (const [query, variables] of [[CONFIG, {}], [MASTER, {}], [WA, { sessionId }]] as const) {
        const response = await t.client.request(query, variables, a.tokens[role]);
        assert.equal(response.errors, undefined);
        assert.ok(!JSON.stringify(response).includes(secret), `${role} ${query.slice(0, 20)} leaks nothing`);
      }
    }
    const entries = (await t.client.data(CONFIG, {}, a.tokens.AGENT)).tenantConfig;
    assert.deepEqual(
      entries.map((e: any) => [e.key, e.isSecret, e.hasValue, e.value]),
      [
        ['checkout.url', false, true, { url: 'https://shop.example', retries: 3 }],
        ['payments.apiKey', true, true, null],
      ],
    );

    // At rest: ciphertext only, bound to this tenant and key.
    const [row] = await t.app.platform.router.withTenant(a.tenantId, (m) => m.query(`SELECT value::text AS raw FROM tenant_config WHERE key = 'payments.apiKey'`));
    assert.ok(!row.raw.includes(secret));
    assert.match(row.raw, /^"v1\./);
    const service = new TenantConfigService(t.app.platform);
    assert.equal(await t.app.platform.router.withTenant(a.tenantId, (m) => service.readSecret(m, a.tenantId, 'payments.apiKey')), secret);
    assert.throws(() => t.app.platform.secrets.decrypt(JSON.parse(row.raw), `tenant-config:${b.tenantId}:payments.apiKey`));

    // A secret is not downgraded to a plain value; a plain key can become a secret.
    await t.client.expectError('CONFLICT', SET, { key: 'payments.apiKey', value: 'visible' }, a.tokens.TENANT_ADMIN);
    const upgraded = (await t.client.data(SET_SECRET, { key: 'checkout.url', value: 'hidden now' }, a.tokens.TENANT_ADMIN)).setTenantSecret;
    assert.deepEqual(upgraded, { key: 'checkout.url', isSecret: true, hasValue: true, value: null });

    assert.equal((await t.client.data('mutation { deleteTenantConfig(key: "payments.apiKey") }', {}, a.tokens.TENANT_ADMIN)).deleteTenantConfig, true);
    await t.client.expectError('NOT_FOUND', 'mutation { deleteTenantConfig(key: "payments.apiKey") }', {}, a.tokens.TENANT_ADMIN);
    assert.deepEqual((await t.client.data(CONFIG, {}, b.tokens.TENANT_ADMIN)).tenantConfig, [], 'other tenants see none of it');
  });

  test('tenant config: validation and roles', async () => {
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', SET, { key: 'bad key!', value: 1 }, a.tokens.TENANT_ADMIN), 'key');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', SET, { key: 'big', value: 'x'.repeat(17_000) }, a.tokens.TENANT_ADMIN), 'value');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', SET_SECRET, { key: 'empty', value: '' }, a.tokens.TENANT_ADMIN), 'value');
    const nulled = (await t.client.data(SET, { key: 'feature.off', value: null }, a.tokens.TENANT_ADMIN)).setTenantConfig;
    assert.equal(nulled.hasValue, false);
    for (const role of ['MANAGER', 'AGENT', 'AUDITOR'] as const) {
      await t.client.expectError('FORBIDDEN', SET, { key: 'x', value: 1 }, a.tokens[role]);
      await t.client.expectError('FORBIDDEN', SET_SECRET, { key: 'x', value: 'y' }, a.tokens[role]);
      await t.client.expectError('FORBIDDEN', 'mutation { deleteTenantConfig(key: "feature.off") }', {}, a.tokens[role]);
    }
  });

  test('WhatsApp settings per channel: defaults, business hours validated, admin only', async () => {
    const sessionId = await seedSession(t, a.tenantId);
    const defaults = (await t.client.data(WA, { sessionId }, a.tokens.AGENT)).whatsappSettings;
    assert.equal(defaults.timezone, 'UTC');
    assert.equal(defaults.markReadOnReply, true);
    assert.equal(defaults.updatedAt, null);
    assert.deepEqual(defaults.businessHours.mon, []);

    const hours = {
      mon: [{ open: '13:00', close: '18:00' }, { open: '09:00', close: '12:00' }],
      tue: [{ open: '09:00', close: '17:00' }],
      sat: [{ open: '22:00', close: '24:00' }],
    };
    const saved = (await t.client.data(UPDATE_WA, { sessionId, input: { timezone: 'Europe/Berlin', businessHours: hours } }, a.tokens.TENANT_ADMIN))
      .updateWhatsappSettings;
    assert.equal(saved.timezone, 'Europe/Berlin');
    assert.deepEqual(saved.businessHours.mon, [{ open: '09:00', close: '12:00' }, { open: '13:00', close: '18:00' }], 'sorted');
    assert.deepEqual(saved.businessHours.sun, []);
    assert.ok(saved.updatedAt);
    const toggled = (await t.client.data(UPDATE_WA, { sessionId, input: { markReadOnReply: false } }, a.tokens.TENANT_ADMIN)).updateWhatsappSettings;
    assert.equal(toggled.markReadOnReply, false);
    assert.deepEqual(toggled.businessHours.tue, [{ open: '09:00', close: '17:00' }], 'a partial update keeps the hours');

    const bad = async (businessHours: unknown, field: string) =>
      assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPDATE_WA, { sessionId, input: { businessHours } }, a.tokens.TENANT_ADMIN), field);
    await bad({ mon: [{ open: '25:00', close: '26:00' }] }, 'businessHours');
    await bad({ mon: [{ open: '9:00', close: '17:00' }] }, 'businessHours');
    await bad({ tue: [{ open: '17:00', close: '09:00' }] }, 'businessHours.tue');
    await bad({ wed: [{ open: '09:00', close: '13:00' }, { open: '12:00', close: '18:00' }] }, 'businessHours.wed');
    await bad({ thu: [{ open: '24:00', close: '24:00' }] }, 'businessHours.thu');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', UPDATE_WA, { sessionId, input: { timezone: 'Nowhere/Town' } }, a.tokens.TENANT_ADMIN), 'timezone');

    await t.client.expectError('FORBIDDEN', UPDATE_WA, { sessionId, input: { markReadOnReply: true } }, a.tokens.MANAGER);
    assert.equal((await t.client.data(WA, { sessionId: crypto.randomUUID() }, a.tokens.AGENT)).whatsappSettings, null);
    assert.equal((await t.client.data(WA, { sessionId }, b.tokens.TENANT_ADMIN)).whatsappSettings, null, 'another tenant sees nothing');
    await t.client.expectError('NOT_FOUND', UPDATE_WA, { sessionId: 'not-a-uuid', input: { markReadOnReply: true } }, a.tokens.TENANT_ADMIN);
    await t.client.expectError('NOT_FOUND', UPDATE_WA, { sessionId, input: { markReadOnReply: true } }, b.tokens.TENANT_ADMIN);
  });
});
