/**
 * dist/unpack.cjs: a file dist/ ships brotli-compressed is decompressed once into a cache folder
 * named by its content hash, reused afterwards, written whole even when several processes unpack
 * it at once, and refused when the compressed copy does not match what the build recorded.
 * Each test builds a small dist/ of its own (unpack.cjs, unpack.json, one `.br`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { ROOT } from './harness.js';

interface Dist {
  dir: string;
  content: Buffer;
  unpacked(file: string): string;
}

function makeDist(t: { after(fn: () => void): void }, options: { executable?: boolean } = {}): Dist {
  const dir = mkdtempSync(join(tmpdir(), 'skene-unpack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(ROOT, 'action', 'scripts', 'unpack.cjs'), join(dir, 'unpack.cjs'));
  // Random bytes repeated: compressible, and unique to this test so no other run's cache matches.
  const content = Buffer.concat(Array.from({ length: 64 }, () => randomBytes(4096)).flatMap((b) => [b, b]));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'big.bin.br'), brotliCompressSync(content));
  const sha256 = createHash('sha256').update(content).digest('hex');
  writeFileSync(join(dir, 'unpack.json'), JSON.stringify({ files: { 'lib/big.bin': { bytes: content.length, sha256, executable: !!options.executable } } }));
  const { unpacked } = createRequire(import.meta.url)(join(dir, 'unpack.cjs')) as { unpacked(file: string): string };
  return { dir, content, unpacked };
}

test('a compressed file is unpacked once, beside dist/ under its content hash, and reused', (t) => {
  const dist = makeDist(t, { executable: true });
  const path = dist.unpacked('lib/big.bin');
  assert.ok(path.startsWith(join(dist.dir, 'node_modules', '.cache', 'skene', 'unpacked')), path);
  assert.ok(path.endsWith(join(createHash('sha256').update(dist.content).digest('hex').slice(0, 16), 'big.bin')), path);
  assert.ok(readFileSync(path).equals(dist.content));
  assert.notEqual(statSync(path).mode & 0o111, 0, 'the executable bit the build recorded');
  const written = statSync(path).mtimeMs;
  assert.equal(dist.unpacked('lib/big.bin'), path);
  assert.equal(statSync(path).mtimeMs, written, 'the second call reads the cache, writes nothing');
});

test('a truncated cached copy is replaced; a file the build did not compress is refused by name', (t) => {
  const dist = makeDist(t);
  const path = dist.unpacked('lib/big.bin');
  writeFileSync(path, dist.content.subarray(0, 1000));
  assert.equal(dist.unpacked('lib/big.bin'), path);
  assert.ok(readFileSync(path).equals(dist.content));
  assert.throws(() => dist.unpacked('lib/other.bin'), /lib\/other\.bin is not one of the files dist\/ ships compressed \(lib\/big\.bin\)/);
});

test('a compressed copy that does not match the build record is refused, with how to fix it', (t) => {
  const dist = makeDist(t);
  writeFileSync(join(dist.dir, 'lib', 'big.bin.br'), brotliCompressSync(Buffer.from('something else')));
  assert.throws(() => dist.unpacked('lib/big.bin'), /dist\/lib\/big\.bin\.br does not decompress to the file the build recorded; rebuild the action/);
});

test('processes unpacking at the same time each end with the whole file', async (t) => {
  const dist = makeDist(t);
  const script = `const p = require(${JSON.stringify(join(dist.dir, 'unpack.cjs'))}).unpacked('lib/big.bin'); process.stdout.write(p + ' ' + require('fs').statSync(p).size);`;
  const outputs = await Promise.all(
    Array.from(
      { length: 4 },
      () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
          child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
        }),
    ),
  );
  const [path] = outputs[0]!.split(' ');
  for (const out of outputs) assert.equal(out, `${path} ${dist.content.length}`);
  assert.ok(readFileSync(path!).equals(dist.content));
});
