import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { configJsonSchema, defineConfig, defineLoop, loopSchema, normalizeConfig } from '@skene/sdk';

const seedsDir = new URL('../../../test/fixtures/seeds/', import.meta.url);

describe('@skene/sdk', () => {
  for (const stack of readdirSync(seedsDir)) {
    test(`the ${stack} page's config validates at run time`, async () => {
      const mod = (await import(new URL(`${stack}/skene.config.ts`, seedsDir).href)) as { default: unknown };
      const { loops } = normalizeConfig(mod.default);
      assert.equal(loops.length, 1);
      assert.match(loops[0].id, /^(activation|retention)-1$/);
    });
  }

  test('defineLoop rejects what the schema rejects, naming the path', () => {
    assert.throws(
      () =>
        defineLoop({
          type: 'activation',
          opinion: 'x',
          steps: [{ trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 't' } }],
          recovery: { retries: 3, backoff: 'exponentail' as 'fixed' },
        }),
      (e: Error) => /recovery/.test(e.message) && /backoff/.test(e.message),
    );
    assert.throws(
      () =>
        defineLoop({
          type: 'activation',
          opinion: 'x',
          steps: [
            {
              trigger: { type: 'schedule', cron: '0 9 * * *' },
              condition: { type: 'query', query: 'SELECT 1', timeout: '5 minutes' },
              action: { type: 'email', provider: 'resend', template: 't' },
            },
          ],
        }),
      /duration/,
    );
  });

  test('ids: explicit, else the type and its position among loops of that type', () => {
    const step = { trigger: { type: 'database', table: 'users', event: 'insert' }, action: { type: 'email', provider: 'resend', template: 't' } } as const;
    const config = defineConfig({
      loops: [
        { type: 'activation', opinion: 'a', steps: [step] },
        { type: 'retention', opinion: 'b', steps: [step] },
        { type: 'activation', opinion: 'c', steps: [step] },
        { id: 'custom', type: 'activation', opinion: 'd', steps: [step] },
      ],
    });
    assert.deepEqual(
      normalizeConfig(config).loops.map((l) => l.id),
      ['activation-1', 'retention-1', 'activation-2', 'custom'],
    );
    assert.deepEqual(
      normalizeConfig([config.loops[1]]).loops.map((l) => l.id),
      ['retention-1'],
    );
  });

  test('the JSON Schema is the zod schema: same enums, strict objects', () => {
    const schema = configJsonSchema() as { anyOf: { properties?: Record<string, { enum?: string[] }>; additionalProperties?: boolean }[] };
    const loop = schema.anyOf[0];
    assert.deepEqual(loop.properties?.type.enum, loopSchema.shape.type.options);
    assert.equal(loop.additionalProperties, false);
  });
});
