import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { baseline, BASELINE_FILE, undocumented, unannouncedBreakingChanges } from '../../scripts/schema-contract';
import { ERROR_CODE_MEANINGS, ErrorCode } from '../../src/platform/errors';

const root = path.resolve(__dirname, '..', '..', '..');
const sdl = () => fs.readFileSync(path.join(root, 'schema.graphql'), 'utf8');

describe('the schema as a contract', () => {
  test('every public type, field, argument and enum value has a description (beyond the shrinking baseline)', () => {
    const missing = undocumented(buildSchema(sdl()));
    const known = baseline();
    const fresh = missing.filter((coordinate) => !known.has(coordinate));
    assert.deepEqual(fresh, [], `undocumented (run \`npm run schema:descriptions\`; never add them to ${BASELINE_FILE}): ${fresh.join(', ')}`);
    // The partner surface is fully documented, baseline or not.
    const partnerSurface = /^(Webhook|CreatedWebhook|RotatedWebhook|CreateWebhook|UpdateWebhook|Event\b|EventFeedPage|Viewer|ApiKey|CreatedApiKey|ErrorCode|Query\.(events|viewer|me\b|webhook|apiKeys)|Mutation\.(\w*Webhook\w*|\w*ApiKey))/;
    assert.deepEqual(missing.filter((coordinate) => partnerSurface.test(coordinate)), []);
  });

  test('the check finds a missing description', () => {
    const missing = undocumented(buildSchema(`"The root" type Query { "documented" a(x: Int): Int b: Int } "E" enum E { "v" V W }`));
    assert.deepEqual(missing, ['E.W', 'Query.a(x:)', 'Query.b']);
  });

  test('ErrorCode in the schema lists every extensions.code with its meaning', () => {
    const schema = buildSchema(sdl());
    const type = schema.getType('ErrorCode') as import('graphql').GraphQLEnumType;
    const values = new Map(type.getValues().map((value) => [value.name, value.description]));
    for (const code of Object.values(ErrorCode)) assert.equal(values.get(code), ERROR_CODE_MEANINGS[code], code);
    assert.ok(values.has('GRAPHQL_VALIDATION_FAILED'));
  });

  test('no unannounced breaking change against the released schema; an unannounced one is caught', async () => {
    assert.deepEqual(await unannouncedBreakingChanges(), []);
    const released = fs.readFileSync(path.join(root, 'docs', 'schema.released.graphql'), 'utf8');
    const current = sdl().replace(/\n(\s+"""(?:(?!""")[\s\S])*""")?\s+apiKeys: \[ApiKey!\]!/, '');
    assert.notEqual(current, sdl());
    const caught = await unannouncedBreakingChanges({ released, current, changelog: '' });
    assert.deepEqual(caught.map((change) => change.path).sort(), ['Query.apiKeys', 'Query.me']);
    const announced = await unannouncedBreakingChanges({ released, current, changelog: '- `Query.apiKeys` removed\n- `Query.me` nullable' });
    assert.deepEqual(announced, []);
  });
});
