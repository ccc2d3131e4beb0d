/**
 * The snapshot's data directory put into PGlite's in-memory file system without copying it.
 *
 * PGlite's own `loadDataDir` copied every byte three times: the file into one buffer, each file
 * out of it (its tar reader slices), then into the file system (MEMFS writes copy): with the
 * garbage those left, ~300 ms of a ~1 s start on 2 cores. Here the snapshot is read once and each
 * file becomes a view of that buffer (MEMFS's `canOwn`): PostgreSQL writes a page in place, and
 * a file that grows moves to its own storage. The buffer is read afresh for every database, so no
 * two ever share a byte.
 */

/** One member of a tar archive: a directory, or a regular file whose bytes are a view of the archive. */
export interface TarEntry {
  /** The path as archived (PGlite's dumps start each with `/`, relative to the data directory). */
  name: string;
  type: 'directory' | 'file';
  data: Uint8Array;
  /** Modification time, in seconds since 1970. */
  mtime: number;
}

const BLOCK = 512;

/**
 * The members of a POSIX (ustar) or GNU tar archive, as views of `archive`. Throws on anything a
 * snapshot PGlite wrote would not hold — a bad header checksum, a member running past the end, no
 * end-of-archive block, a link or device — so that a damaged snapshot is made again, never loaded
 * half.
 */
export function* readTar(archive: Uint8Array): Generator<TarEntry> {
  let at = 0;
  while (at + BLOCK <= archive.length) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) return; // the end-of-archive block
    if (ascii(header, 257, 5) !== 'ustar') throw new Error(`not a tar header at byte ${at}`);
    if (octal(header, 148, 8) !== checksum(header)) throw new Error(`tar header at byte ${at}: bad checksum`);
    const size = octal(header, 124, 12);
    const start = at + BLOCK;
    if (start + size > archive.length) throw new Error(`tar member at byte ${at} runs past the end of the archive`);
    const prefix = ascii(header, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + ascii(header, 0, 100);
    const flag = String.fromCharCode(header[156]);
    if (flag === '5') yield { name, type: 'directory', data: archive.subarray(start, start), mtime: octal(header, 136, 12) };
    else if (flag === '0' || flag === '\0') yield { name, type: 'file', data: archive.subarray(start, start + size), mtime: octal(header, 136, 12) };
    else throw new Error(`tar member ${name}: type '${flag}' is neither a file nor a directory`);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error('the tar archive ends without its end-of-archive block (truncated)');
}

/** The part of PGlite's Emscripten file system this needs. */
export interface MemoryFileSystem {
  mkdirTree(path: string): void;
  writeFile(path: string, data: Uint8Array, options: { canOwn: boolean }): void;
  utime(path: string, atime: number, mtime: number): void;
}

/** Writes the archive's members under `root`, each file a view of `archive` (not a copy). */
export function fillFromTar(fs: MemoryFileSystem, root: string, archive: Uint8Array): void {
  fs.mkdirTree(root);
  for (const entry of readTar(archive)) {
    const path = `${root}/${entry.name.replace(/^\/+/, '')}`;
    if (entry.type === 'directory') fs.mkdirTree(path);
    else {
      fs.writeFile(path, entry.data, { canOwn: true });
      fs.utime(path, entry.mtime * 1000, entry.mtime * 1000);
    }
  }
}

/** A NUL-terminated (or field-long) ASCII field. */
function ascii(header: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && header[end] !== 0) end++;
  return String.fromCharCode(...header.subarray(offset, end));
}

/** An octal number field (NUL- or space-terminated, maybe space-padded in front). */
function octal(header: Uint8Array, offset: number, length: number): number {
  const text = ascii(header, offset, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new Error(`tar header: '${text}' is not an octal number`);
  return text ? parseInt(text, 8) : 0;
}

/** The header's checksum: the sum of its bytes with the checksum field itself read as spaces. */
function checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  return sum;
}
