/**
 * isTimeZone (SKN011, and the zone a schedule's description uses) answers canonical names from
 * ICU's list without building a formatter, and still takes the aliases ICU accepts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTimeZone } from '@skene/core';

test('isTimeZone: canonical zones, UTC and ICU aliases are zones; typos and the empty string are not', () => {
  for (const zone of ['Europe/Helsinki', 'America/New_York', 'UTC', 'Etc/GMT+5', 'US/Eastern', 'GMT', 'Asia/Calcutta'])
    assert.equal(isTimeZone(zone), true, zone);
  for (const zone of ['Europe/Helsnki', '', 'Mars/Olympus_Mons', 'Europe/', 'not a zone']) assert.equal(isTimeZone(zone), false, JSON.stringify(zone));
  // The answer for every zone ICU lists agrees with a formatter's.
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    assert.doesNotThrow(() => new Intl.DateTimeFormat('en-US', { timeZone: zone }), zone);
    assert.equal(isTimeZone(zone), true, zone);
  }
});
