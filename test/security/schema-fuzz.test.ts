import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { seedInbox } from '../support/crm-fixtures';
import { tenantQuery } from '../whatsapp/whatsapp-test-kit';
import { openSocket } from './security-support';

/**
 * Schema-driven fuzzing: every root field of Query and Mutation, with arguments generated from
 * their types (edge-case strings, numbers, nesting, and ids of ANOTHER tenant's rows), sent over
 * real HTTP as a tenant admin. Fails on an internal error, an HTTP 5xx, or any data of the other
 * tenant in the answer. FUZZ_RUNS (default 3000) is the total number of cases; every fifth
 * case is also sent over graphql-ws, where the socket must stay open as well.
 */
const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
/** Printed with the result; set FUZZ_SEED to replay a run. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
/** Creates PostgreSQL databases: too slow to fuzz, and covered by its own tests. */
const SKIPPED = new Set(['signUp']);
/** The victim's marker, in every name we give its rows. */
const MARKER = 'VICTIMMARKER';

describe('schema fuzz: no input gives an internal error, a 5xx, or another tenant\'s data', () => {
  let t: TestApp;
  let attacker: SignedUp;
  let victim: SignedUp;
  let victimIds: string[] = [];
  let attackerIds: string[] = [];

  before(async () => {
    t = await startTestApp({ GRAPHQL_MAX_COST: '100000' });
    [attacker, victim] = await Promise.all([t.client.signUp(), t.client.signUp({ organizationName: `${MARKER} org`, name: `${MARKER} owner` })]);
    await seedInbox(t, victim.tenantId, { conversations: 3, labels: 2, phoneBase: 447711000000 });
    await seedInbox(t, attacker.tenantId, { conversations: 3, labels: 2, phoneBase: 447722000000 });
    const seed = async (token: string, marker: string) => {
      const run = (query: string, variables: Record<string, unknown>) => t.client.request(query, variables, token);
      await run(`mutation ($input: CreateContactGroupInput!) { createContactGroup(input: $input) { id } }`, { input: { name: `${marker} group` } });
      await run(`mutation ($input: CreateQuickReplyInput!) { createQuickReply(input: $input) { id } }`, { input: { shortcut: 'hello', title: `${marker} qr`, body: `${marker} body` } });
      await run(`mutation ($input: ConnectWhatsAppInput!) { connectWhatsApp(input: $input) { id } }`, { input: { provider: 'SANDBOX', name: `${marker} line` } });
      await run(`mutation ($name: String!) { createApiKey(name: $name) { apiKey { id } } }`, { name: `${marker} key` });
      await run(`mutation { setTenantConfig(key: "fuzz.marker", value: "${marker}") { key } }`, {});
      await run(`mutation { uploadDocument(input: {filename: "${marker}.txt", contentType: "text/plain", contentBase64: "${Buffer.from(marker).toString('base64')}"}) { id } }`, {});
    };
    await seed(victim.token, MARKER);
    await seed(attacker.token, 'attacker');
    await t.client.request(`mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id } }`, { input: await orderInput(victim.tenantId) }, victim.token);
    victimIds = [victim.tenantId, victim.userId, ...(await rowIds(victim.tenantId))];
    attackerIds = [attacker.tenantId, attacker.userId, ...(await rowIds(attacker.tenantId))];
    assert.ok(victimIds.length > 15, `victim rows to aim at: ${victimIds.length}`);
  });
  after(() => t?.stop());

  async function orderInput(tenantId: string) {
    const [contact] = await tenantQuery<{ id: string }>(t, tenantId, 'SELECT id FROM contacts LIMIT 1');
    return { contactId: contact.id, currency: 'EUR', items: [{ productName: `${MARKER} mug`, sku: 'MUG', quantity: 1, unitPriceCents: 100 }] };
  }

  /** Every id of every row in the tenant's database. */
  async function rowIds(tenantId: string): Promise<string[]> {
    const tables = await tenantQuery<{ table_name: string }>(
      t,
      tenantId,
      `SELECT table_name FROM information_schema.columns WHERE column_name = 'id' AND data_type = 'uuid' AND table_schema = current_schema()`,
    );
    const ids: string[] = [];
    for (const { table_name } of tables) {
      const rows = await tenantQuery<{ id: string }>(t, tenantId, `SELECT id::text FROM "${table_name}" LIMIT 20`);
      ids.push(...rows.map((row) => row.id));
    }
    return ids;
  }

  test('every root field survives generated arguments', async () => {
    const schema = t.app.schema;
    const fields = [
      ...Object.values(schema.getQueryType()!.getFields()).map((field) => ({ operation: 'query', field })),
      ...Object.values(schema.getMutationType()!.getFields()).map((field) => ({ operation: 'mutation', field })),
    ].filter(({ field }) => !SKIPPED.has(field.name));
    const runsPerField = Math.max(1, Math.ceil(TOTAL_RUNS / fields.length));
    const ids = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...victimIds) },
      { weight: 2, arbitrary: fc.constantFrom(...attackerIds) },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: edgeString },
    );
    let cases = 0;
    let socketCases = 0;
    let socket = await openSocket(t.url, `Bearer ${attacker.token}`);
    const failures: string[] = [];
    const started = Date.now();
    for (const { operation, field } of fields) {
      const document = documentFor(operation, field);
      const args = fc.record(Object.fromEntries(field.args.map((arg) => [arg.name, inputValue(arg.type, ids, 0)])));
      await fc.assert(
        fc.asyncProperty(args, async (variables) => {
          cases += 1;
          const response = await fetch(`${t.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${attacker.token}` },
            body: JSON.stringify({ query: document, variables: withoutUndefined(variables) }),
          });
          const text = await response.text();
          const problem =
            response.status >= 500
              ? `HTTP ${response.status}`
              : text.includes('INTERNAL_SERVER_ERROR')
                ? 'INTERNAL_SERVER_ERROR'
                : leaksVictim(text, JSON.stringify(variables));
          if (problem) {
            failures.push(`${field.name}: ${problem}\n  variables: ${JSON.stringify(variables).slice(0, 400)}\n  answer: ${text.slice(0, 400)}`);
            return false;
          }
          if (cases % 5 !== 0) return true;
          socketCases += 1;
          const overWs = await socket.request(document, withoutUndefined(variables));
          const wsText = JSON.stringify(overWs);
          const wsProblem =
            overWs.closeCode !== undefined
              ? `socket closed with ${overWs.closeCode}`
              : wsText.includes('INTERNAL_SERVER_ERROR')
                ? 'INTERNAL_SERVER_ERROR over WebSocket'
                : leaksVictim(wsText, JSON.stringify(variables));
          if (wsProblem) {
            failures.push(`${field.name} (WebSocket): ${wsProblem}\n  variables: ${JSON.stringify(variables).slice(0, 400)}\n  answer: ${wsText.slice(0, 400)}`);
            if (socket.isClosed()) socket = await openSocket(t.url, `Bearer ${attacker.token}`);
            return false;
          }
          return true;
        }),
        { numRuns: runsPerField, endOnFailure: true, seed: SEED },
      ).catch(() => undefined); // collected in failures, to report every field at once
    }
    socket.close();
    console.log(`# schema fuzz: ${cases} cases (${socketCases} also over WebSocket) over ${fields.length} root fields in ${Date.now() - started} ms (FUZZ_SEED=${SEED})`);
    assert.deepEqual(failures, [], `FUZZ_SEED=${SEED}\n${failures.join('\n')}`);
    assert.ok(cases >= Math.min(TOTAL_RUNS, fields.length), `ran ${cases} cases`);
  });

  /** The victim's marker, or one of its ids that the request did not itself send. */
  function leaksVictim(answer: string, sent: string): string | null {
    if (answer.includes(MARKER)) return 'answer holds the other tenant\'s data (marker)';
    const leaked = victimIds.find((id) => answer.includes(id) && !sent.includes(id));
    return leaked ? `answer holds the other tenant's id ${leaked}` : null;
  }
});

const edgeString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '   \t\n',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '😀',
    '\u202e\u0301é',
    "'; DROP TABLE contacts; --",
    '%_\\',
    '<script>alert(1)</script>',
    '00000000-0000-0000-0000-000000000000',
    'not-a-uuid',
    '+447911123456',
    'a@b.c',
    '{"a":1}',
    'x'.repeat(10_001),
    '9'.repeat(400),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 20 }),
);

const edgeInt = fc.oneof(fc.constantFrom(0, -1, 1, 2, 100, 101, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const edgeFloat = fc.oneof(fc.constantFrom(0, -0, 0.5, -1.5, 1e308, -1e308, 2 ** 53), fc.double({ noNaN: true, noDefaultInfinity: true }));
const edgeSafeInt = fc.oneof(edgeInt, fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER));
const edgeDate = fc.oneof(
  fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('2024-02-30T00:00:00Z', 'yesterday', '1970-01-01T00:00:00.000Z', ''),
);
/** JSON 100 levels deep: deeper than any input allows. */
const deepJson = fc.constant(Array.from({ length: 100 }).reduce<unknown>((inner) => ({ a: inner }), 1));
const edgeJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), deepJson, edgeString);

function leaf(name: string, ids: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  switch (name) {
    case 'ID':
      return ids;
    case 'String':
      return fc.oneof({ weight: 3, arbitrary: edgeString }, { weight: 1, arbitrary: ids });
    case 'Int':
      return edgeInt;
    case 'Float':
      return edgeFloat;
    case 'SafeInt':
      return edgeSafeInt;
    case 'Boolean':
      return fc.boolean();
    case 'DateTimeISO':
      return edgeDate;
    case 'JSON':
      return edgeJson;
    default:
      return fc.oneof(edgeString, edgeInt, fc.boolean());
  }
}

/** A value for an input type: mostly valid in shape, sometimes null or wrong. */
function inputValue(type: GraphQLInputType, ids: fc.Arbitrary<string>, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return inputValue(type.ofType, ids, depth);
  const nullable = (value: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constantFrom(null, undefined) });
  if (isListType(type)) return nullable(fc.array(inputValue(type.ofType, ids, depth + 1), { maxLength: depth > 2 ? 1 : 4 }));
  if (isEnumType(type)) return nullable(fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...type.getValues().map((value) => value.name)) }, { weight: 1, arbitrary: edgeString }));
  if (isInputObjectType(type)) {
    if (depth > 4) return fc.constant(null);
    const fields = Object.values(type.getFields());
    return nullable(fc.record(Object.fromEntries(fields.map((field) => [field.name, inputValue(field.type, ids, depth + 1)]))));
  }
  return nullable(leaf(getNamedType(type).name, ids));
}

/** `operation ($a: T!) { field(a: $a) { ...scalars two levels deep } }`. */
function documentFor(operation: string, field: GraphQLField<unknown, unknown>): string {
  const definitions = field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const args = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  return `${operation}${definitions ? ` (${definitions})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection(field.type, 0)} }`;
}

function selection(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named) || isInterfaceType(named) || !isObjectType(named)) return ' { __typename }';
  const parts: string[] = [];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    const inner = getNamedType(field.type);
    if (isLeafType(inner)) parts.push(field.name);
    else if (depth < 2) parts.push(`${field.name}${selection(field.type, depth + 1)}`);
  }
  return ` { ${parts.length ? parts.join(' ') : '__typename'} }`;
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
