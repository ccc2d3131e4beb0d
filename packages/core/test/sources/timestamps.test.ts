/**
 * PostgreSQL timestamps read as ISO strings without building a Date (PG_PARSERS): the string
 * must be exactly what the Date would have printed, for every fraction PostgreSQL can send.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PG_PARSERS } from '../../src/sources/pglite-snapshot.js';
import { plainValue } from '../../src/plan/values.js';

const timestamptz = PG_PARSERS[1184]!;
const timestamp = PG_PARSERS[1114]!;

/** PostgreSQL's text for a UTC instant (DateStyle ISO): trailing zeros of the microseconds dropped. */
function pgText(date: Date, micros: number, zone: string): string {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const fraction = micros ? `.${String(micros).padStart(6, '0').replace(/0+$/, '')}` : '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}${zone}`;
}

const instants = fc.record({
  // Whole seconds from year 1 to 9999; the fraction comes separately, as PostgreSQL's microseconds.
  seconds: fc.integer({ min: -62_135_596_800, max: 253_402_300_799 }),
  micros: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999_999 }), fc.constantFrom(500_000, 120_000, 123_000, 100)),
});

test('timestamptz text becomes the ISO string a Date gives, for any instant and fraction', () => {
  fc.assert(
    fc.property(instants, ({ seconds, micros }) => {
      const text = pgText(new Date(seconds * 1000), micros, '+00');
      const viaDate = plainValue(new Date(`${text.replace(' ', 'T')}:00`));
      assert.equal(timestamptz(text), viaDate, text);
    }),
    { numRuns: 2000 },
  );
});

test('timestamp without time zone is read as UTC, the same way', () => {
  fc.assert(
    fc.property(instants, ({ seconds, micros }) => {
      const text = pgText(new Date(seconds * 1000), micros, '');
      assert.equal(timestamp(text), plainValue(new Date(`${text.replace(' ', 'T')}Z`)), text);
    }),
    { numRuns: 2000 },
  );
});

test('texts outside the fast path still parse through a Date: other zones, BC, a zone where none belongs', () => {
  assert.equal(plainValue(timestamptz('2026-03-01 17:42:00.5+05')), '2026-03-01T12:42:00.500Z');
  assert.equal(timestamp('2026-03-01 17:42:00+00') instanceof Date, true);
  assert.equal(typeof timestamptz('0044-03-15 12:00:00+00 BC'), 'object');
  assert.equal(timestamptz('2026-03-01 17:42:00.5+00'), '2026-03-01T17:42:00.500Z');
  assert.equal(timestamp('2026-03-01 17:42:00.123456'), '2026-03-01T17:42:00.123Z');
});
