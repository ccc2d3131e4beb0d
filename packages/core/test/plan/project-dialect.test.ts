/**
 * planProject's `dialect`: a caller that knows the dialect of the loops (the editor's
 * `skene.dialect`) gets an error naming both dialects before anything connects, not a plan whose
 * every condition fails in the wrong database.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { planProject } from '../../src/index.js';

const CONFIG = fileURLToPath(new URL('../../../../examples/hasura/skene.config.ts', import.meta.url));

describe('planProject: the dialect the caller expects', () => {
  it('mysql loops and no URL (the embedded PostgreSQL): refused', async () => {
    await assert.rejects(
      planProject({ configFile: CONFIG, dialect: 'mysql', env: {} }),
      /^Error: the dialect is mysql, but the plan's database, embedded PostgreSQL \(PGlite\), speaks postgres/,
    );
  });

  it('postgres loops and a mysql:// URL: refused before connecting, password hidden', async () => {
    // Port 9 (discard): a connection attempt would fail differently, and slowly.
    const error = await planProject({ configFile: CONFIG, dialect: 'postgres', databaseUrl: 'mysql://root:pw-secret-1@127.0.0.1:9/app', env: {} }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error);
    assert.match(error.message, /^the dialect is postgres, but the plan's database, mysql:\/\/root:\*\*\*@127\.0\.0\.1:9\/app, speaks mysql/);
    assert.doesNotMatch(error.message, /pw-secret-1/);
  });

  it('an Upstash REST URL speaks redis', async () => {
    await assert.rejects(
      planProject({ configFile: CONFIG, dialect: 'postgres', databaseUrl: 'https://eu1-fine-cat-1234.upstash.io', env: {} }),
      /speaks redis/,
    );
  });
});
