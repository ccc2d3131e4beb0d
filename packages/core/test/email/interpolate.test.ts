import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, interpolate } from '@skene/core';

const now = new Date('2026-03-02T09:00:00.000Z');
const context = {
  user: {
    id: 7,
    name: 'Ada',
    email: 'ada@example.com',
    last_activity_at: new Date('2026-02-20T12:30:00.000Z'),
    re_engagement_sent: false,
    nickname: null,
    meta: { plan: 'pro', seats: 3 },
  },
  row: { id: 99, user_id: 7 },
  match: { action_type: 'first_project_created', count: 0 },
  loop: { id: 'activation-1', type: 'activation' },
  now,
};

test('replaces paths over user, row, match, loop and now', () => {
  const r = interpolate('{{user.name}} #{{row.id}} {{match.action_type}} {{loop.id}} at {{now}}', context);
  assert.deepEqual(r, { value: 'Ada #99 first_project_created activation-1 at 2026-03-02T09:00:00.000Z', missing: [] });
});

test('Dates become ISO strings; numbers (including 0) and booleans use String', () => {
  const r = interpolate('{{user.last_activity_at}}|{{match.count}}|{{user.re_engagement_sent}}|{{user.id}}', context);
  assert.equal(r.value, '2026-02-20T12:30:00.000Z|0|false|7');
  assert.deepEqual(r.missing, []);
});

test('nested objects are followed; whole objects render as JSON', () => {
  assert.equal(interpolate('{{user.meta.plan}} / {{user.meta}}', context).value, 'pro / {"plan":"pro","seats":3}');
});

test('null, undefined, unknown fields and unknown roots are reported, never rendered as "undefined"', () => {
  const r = interpolate('Hi {{user.nickname}}, {{user.missing_field}} {{nope.x}} {{match.action_type.deeper}} {{user.nickname}}!', context);
  assert.equal(r.value, 'Hi ,    !');
  assert.doesNotMatch(r.value, /undefined|null/);
  assert.deepEqual(r.missing, ['user.nickname', 'user.missing_field', 'nope.x', 'match.action_type.deeper']);
});

test('an absent root (no match for a schedule trigger) is missing', () => {
  const r = interpolate('{{match.id}}', { user: { name: 'x' } });
  assert.deepEqual(r, { value: '', missing: ['match.id'] });
});

test('whitespace inside braces is allowed; text without placeholders is unchanged', () => {
  assert.equal(interpolate('Hello {{ user.name }}', context).value, 'Hello Ada');
  assert.deepEqual(interpolate('no placeholders here', context), { value: 'no placeholders here', missing: [] });
});

test('malformed placeholders are left as written (static analysis reports them)', () => {
  assert.equal(interpolate('a {{user.name b', context).value, 'a {{user.name b');
  assert.equal(interpolate('{{user name}} x', context).value, '{{user name}} x');
});

test("interpolate does not escape (escaping is the HTML renderer's job); escapeHtml escapes the five characters", () => {
  const r = interpolate('{{user.name}}', { user: { name: '<b>"Tom" & \'Jerry\'</b>' } });
  assert.equal(r.value, '<b>"Tom" & \'Jerry\'</b>');
  assert.equal(escapeHtml(r.value), '&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;');
});

test('array elements by index', () => {
  assert.equal(interpolate('{{row.tags.1}}', { row: { tags: ['a', 'b'] } }).value, 'b');
});
