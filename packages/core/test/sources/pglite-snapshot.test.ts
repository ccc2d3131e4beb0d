/**
 * The embedded database's snapshot: made on first use, then every database starts from it with
 * its files as views of one buffer read for that database alone (pglite-tar.ts). What a plan
 * writes must never reach the snapshot, nor the next plan's database; a damaged snapshot is made
 * again, never loaded half.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPglite } from '../../src/sources/pglite-snapshot.js';
import { fillFromTar, readTar, type MemoryFileSystem } from '../../src/sources/pglite-tar.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'skene-pglite-snapshot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A tar of `files` (path → content) made by the system's tar in `format`. */
function systemTar(dir: string, files: Record<string, string>, format: 'ustar' | 'gnu'): Uint8Array {
  const root = join(dir, 'tree');
  mkdirSync(root, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const archive = join(dir, `tree-${format}.tar`);
  execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', root, ...readdirSync(root).sort()]);
  return readFileSync(archive);
}

const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/file`; // 127 characters: ustar keeps it in the prefix field

test('readTar reads the system tar: files as views of the archive, directories, long ustar names', (t) => {
  const dir = tempDir(t);
  const files = { PG_VERSION: '17\n', 'base/5/1259': 'x'.repeat(512), 'base/5/empty': '', 'global/pg_control': 'y'.repeat(1000), [deep]: 'deep' };
  for (const format of ['ustar', 'gnu'] as const) {
    if (format === 'gnu') delete (files as Record<string, string>)[deep]; // GNU writes long names as 'L' records: not in a snapshot
    const archive = systemTar(join(dir, format), files, format);
    const entries = [...readTar(archive)];
    const read = Object.fromEntries(entries.filter((e) => e.type === 'file').map((e) => [e.name, Buffer.from(e.data).toString()]));
    assert.deepEqual(read, files, format);
    const dirs = entries.filter((e) => e.type === 'directory').map((e) => e.name);
    assert.ok(dirs.includes('base/5/') && dirs.includes('global/'), `${format}: ${dirs.join(', ')}`);
    const control = entries.find((e) => e.name.endsWith('pg_control'))!;
    assert.equal(control.data.buffer, archive.buffer, 'a view of the archive, not a copy');
    assert.ok(Math.abs(control.mtime * 1000 - Date.now()) < 600_000, `mtime ${control.mtime}`);
  }
});

test('readTar refuses a damaged archive: a changed header, a truncated member, no end block, a link', (t) => {
  const dir = tempDir(t);
  const archive = systemTar(dir, { a: 'a'.repeat(2000), b: 'b' }, 'ustar');
  const read = (bytes: Uint8Array) => [...readTar(bytes)];
  assert.equal(read(archive).filter((e) => e.type === 'file').length, 2);

  const renamed = Uint8Array.from(archive);
  renamed[0] = 'c'.charCodeAt(0); // the first member's name (a → c) changed, its checksum not
  assert.throws(() => read(renamed), /bad checksum/);

  const cut = Buffer.from(archive).indexOf('a'.repeat(600)) + 600;
  assert.throws(() => read(archive.subarray(0, cut)), /runs past the end/);
  const last = read(archive).at(-1)!.data;
  // Where the end-of-archive blocks begin (offsets in the archive: Node 24 may read a small file into a shared buffer).
  const lastEnd = last.byteOffset - archive.byteOffset + Math.ceil(last.length / 512) * 512;
  assert.equal(read(archive.subarray(0, lastEnd + 512)).length, 2);
  assert.throws(() => read(archive.subarray(0, lastEnd)), /ends without its end-of-archive block/);

  execFileSync('ln', ['-s', 'a', join(dir, 'tree', 'link')]);
  execFileSync('tar', ['--format=ustar', '-cf', join(dir, 'link.tar'), '-C', join(dir, 'tree'), 'link']);
  assert.throws(() => read(readFileSync(join(dir, 'link.tar'))), /type '2' is neither a file nor a directory/);
});

test('fillFromTar writes each member under the root, files handed over without a copy', () => {
  const calls: string[] = [];
  const fs: MemoryFileSystem = {
    mkdirTree: (path) => calls.push(`mkdir ${path}`),
    writeFile: (path, data, { canOwn }) => calls.push(`write ${path} ${data.length} canOwn=${canOwn}`),
    utime: (path, _atime, mtime) => calls.push(`utime ${path} ${mtime}`),
  };
  const dir = mkdtempSync(join(tmpdir(), 'skene-pglite-fill-'));
  try {
    const archive = systemTar(dir, { 'base/1/1259': 'page' }, 'ustar');
    const mtime = [...readTar(archive)].find((e) => e.type === 'file')!.mtime * 1000;
    fillFromTar(fs, '/pglite/data', archive);
    assert.deepEqual(calls, [
      'mkdir /pglite/data',
      'mkdir /pglite/data/base/',
      'mkdir /pglite/data/base/1/',
      'write /pglite/data/base/1/1259 4 canOwn=true',
      `utime /pglite/data/base/1/1259 ${mtime}`,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('databases start from the snapshot; what one writes reaches neither the snapshot nor the next', { timeout: 120_000 }, async (t) => {
  const snapshot = join(tempDir(t), 'datadir.tar');
  const made = await createPglite({ snapshot });
  assert.equal(made.fromSnapshot, false, 'no snapshot yet: initdb, then the snapshot is written');
  await made.db.close();
  const written = sha256(snapshot);

  const first = await createPglite({ snapshot });
  assert.equal(first.fromSnapshot, true);
  await first.db.exec(`CREATE TABLE plan_rows (id int PRIMARY KEY, note text);
    INSERT INTO plan_rows SELECT g, repeat('n', 200) FROM generate_series(1, 20000) g;`);
  assert.deepEqual((await first.db.query('SELECT count(*)::int AS n FROM plan_rows')).rows, [{ n: 20000 }]);
  await first.db.exec('CHECKPOINT'); // pages written back into the files that are views of the buffer
  await first.db.close();
  assert.equal(sha256(snapshot), written, 'the snapshot file is unchanged');

  const second = await createPglite({ snapshot });
  try {
    assert.equal(second.fromSnapshot, true);
    const tables = await second.db.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'plan_rows'");
    assert.deepEqual(tables.rows, [{ n: 0 }], 'the next database starts clean');
    const databases = await second.db.query('SELECT datname FROM pg_database ORDER BY datname');
    assert.deepEqual(databases.rows, [{ datname: 'postgres' }, { datname: 'template0' }, { datname: 'template1' }]);
  } finally {
    await second.db.close();
  }
});

test('a damaged snapshot is made again, not loaded half', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t);
  const snapshot = join(dir, 'datadir.tar');
  const good = await createPglite({ snapshot });
  await good.db.close();
  const size = statSync(snapshot).size;
  writeFileSync(snapshot, readFileSync(snapshot).subarray(0, Math.floor(size / 2)));

  const again = await createPglite({ snapshot });
  try {
    assert.equal(again.fromSnapshot, false, 'the truncated snapshot was not used');
    assert.deepEqual((await again.db.query('SELECT 6 * 7 AS answer')).rows, [{ answer: 42 }]);
  } finally {
    await again.db.close();
  }
  assert.ok(statSync(snapshot).size > size * 0.9, 'a whole snapshot replaced the truncated one');
  const reloaded = await createPglite({ snapshot });
  assert.equal(reloaded.fromSnapshot, true);
  await reloaded.db.close();
});
