// Writes media/icon.png (128×128 RGBA): a loop arrow around an envelope on a rounded square.
// Run by hand when the design changes (the PNG is committed): node scripts/make-icon.mjs
// No dependencies: pixels are computed here (4×4 supersampling) and encoded with zlib.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SS = 4;
const out = join(dirname(fileURLToPath(import.meta.url)), '../media/icon.png');

const bg = [27, 39, 56];
const loop = [46, 196, 182];
const paper = [255, 255, 255];
const flap = [200, 214, 229];

function inRoundedSquare(x, y) {
  const r = 26,
    m = 2;
  const cx = Math.min(Math.max(x, m + r), SIZE - m - r);
  const cy = Math.min(Math.max(y, m + r), SIZE - m - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The colour at (x, y), or null for transparent. */
function shade(x, y) {
  if (!inRoundedSquare(x, y)) return null;
  const cx = 64,
    cy = 64;
  const dx = x - cx,
    dy = y - cy;
  const d = Math.hypot(dx, dy);
  let a = Math.atan2(dy, dx); // -π..π, 0 = east, clockwise on screen
  // The loop: a ring from 40° past north, clockwise, leaving a gap where the arrowhead sits.
  const ang = (a + Math.PI * 2.5) % (Math.PI * 2); // 0 at north, clockwise
  if (d >= 38 && d <= 48 && ang > 0.55 && ang < Math.PI * 2 - 0.05) return loop;
  // Arrowhead at north, pointing clockwise (east).
  const ax = x - 74,
    ay = y - 21;
  if (ax <= 0 && ax >= -16 && Math.abs(ay) <= (ax + 16) * 0.95 && Math.abs(ay) <= 15) return loop;
  // The envelope.
  const ex = x - 64,
    ey = y - 66;
  if (Math.abs(ex) <= 22 && Math.abs(ey) <= 15) {
    const v = 15 * (1 - Math.abs(ex) / 22); // the flap's V, from the top edge
    if (ey + 15 <= v + 1 && ey + 15 >= v - 3) return flap;
    return paper;
  }
  return bg;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    let r = 0,
      g = 0,
      b = 0,
      n = 0;
    for (let sy = 0; sy < SS; sy++)
      for (let sx = 0; sx < SS; sx++) {
        const c = shade(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        if (c) {
          r += c[0];
          g += c[1];
          b += c[2];
          n++;
        }
      }
    const o = y * (SIZE * 4 + 1) + 1 + x * 4;
    if (n) {
      raw[o] = Math.round(r / n);
      raw[o + 1] = Math.round(g / n);
      raw[o + 2] = Math.round(b / n);
    }
    raw[o + 3] = Math.round((255 * n) / (SS * SS));
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8;
ihdr[9] = 6;
ihdr[10] = 0;
ihdr[11] = 0;
ihdr[12] = 0; // 8-bit RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
