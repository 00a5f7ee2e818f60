import { describe, expect, it } from 'vitest';
import { projectSchema } from '../schema.js';
import { isCalendarDate, isoDate, isoTimestamp } from '../timestamps.js';
import { fieldDef, parseFieldValue, shownValue, validateItem } from '../validate.js';

const schema = projectSchema();
const t = (name: string) => schema.tables[name]!;

const TRACK = {
  track_id: 'me:data-eng',
  user_id: 'me',
  name: 'Data engineering',
  search_terms: ['data engineer', 'analytics engineer'],
};

describe('validateItem, full items', () => {
  it('accepts a valid item, fills defaults and drops managed fields', () => {
    const r = validateItem(
      schema,
      t('track'),
      { ...TRACK, created: 'x', last_modified: 'y', version: 9 },
      'full',
    );
    expect(r.problems).toEqual([]);
    expect(r.item).toEqual({ ...TRACK, active: true });
  });

  it('reports one problem per invalid field with the field, rule and value', () => {
    const r = validateItem(
      schema,
      t('crm'),
      {
        job_s_id: 'me:0f4b6b4c7e1d4c6c9b2a6a1d3e5f7a9b',
        user_id: 'Me!',
        status: 'maybe',
        applied_date: '2026-02-31',
        notes: 5,
        colour: 'red',
      },
      'full',
    );
    expect(r.problems.map(({ field, rule, value }) => ({ field, rule, value }))).toEqual([
      { field: 'user_id', rule: 'format', value: 'Me!' },
      { field: 'status', rule: 'enum', value: 'maybe' },
      { field: 'applied_date', rule: 'format', value: '2026-02-31' },
      { field: 'notes', rule: 'type', value: 5 },
      { field: 'colour', rule: 'unknown_field', value: 'red' },
      { field: 'job_id', rule: 'required', value: null },
    ]);
    expect(r.problems[1]!.message).toBe(
      'must be one of new, screened, shortlisted, applied, interviewing, offer, closed',
    );
  });

  it('checks integers, numbers, booleans, lists and their bounds', () => {
    const r = validateItem(
      schema,
      t('track'),
      {
        ...TRACK,
        max_pages: 1.5,
        min_salary: -1,
        active: 'yes',
        search_terms: [],
        categories: ['a', 2],
      },
      'full',
    );
    expect(r.problems.map((p) => [p.field, p.rule])).toEqual([
      ['search_terms', 'minItems'],
      ['max_pages', 'type'],
      ['min_salary', 'minimum'],
      ['active', 'type'],
      ['categories', 'type'],
    ]);
    const score = validateItem(
      schema,
      t('job_score'),
      {
        job_s_id: 'me:0f4b6b4c7e1d4c6c9b2a6a1d3e5f7a9b',
        user_id: 'me',
        job_id: '0f4b6b4c7e1d4c6c9b2a6a1d3e5f7a9b',
        track_id: 'me:x',
        score: 100.5,
        scored_at: '2026-01-01 24:00',
      },
      'full',
    );
    expect(score.problems.map((p) => [p.field, p.rule])).toEqual([
      ['score', 'maximum'],
      ['scored_at', 'format'],
    ]);
  });

  it('checks patterns and lengths, and shortens long values it echoes', () => {
    const r = validateItem(
      schema,
      t('config'),
      {
        config_id: 'me:a',
        user_id: 'me',
        name: 'Bad Name',
        value: 'v',
        description: 'd'.repeat(1001),
      },
      'full',
    );
    expect(r.problems.map((p) => [p.field, p.rule])).toEqual([
      ['name', 'pattern'],
      ['description', 'maxLength'],
    ]);
    expect(r.problems[1]!.value).toBe(`${'d'.repeat(200)}…`);
  });

  it('treats null as absent, so a null required field is reported once', () => {
    const r = validateItem(schema, t('track'), { ...TRACK, name: null, max_pages: null }, 'full');
    expect(r.problems.map((p) => [p.field, p.rule])).toEqual([['name', 'required']]);
    expect(r.item).not.toHaveProperty('max_pages');
  });

  it('rejects a body that is not an object', () => {
    expect(validateItem(schema, t('track'), [1], 'full').problems[0]).toMatchObject({
      field: '(body)',
      rule: 'type',
    });
    expect(validateItem(schema, t('track'), 'x', 'full', 'items[2]').problems[0]).toMatchObject({
      field: 'items[2]',
    });
    // The batch passes the prefix of its field names, `items[2].`: the item itself is `items[2]`.
    expect(validateItem(schema, t('track'), null, 'full', 'items[2].').problems[0]).toMatchObject({
      field: 'items[2]',
      rule: 'type',
      value: null,
    });
  });
});

describe('validateItem, patches', () => {
  it('checks only the given fields, collects removals and applies no defaults', () => {
    const r = validateItem(schema, t('track'), { name: 'New', max_pages: null }, 'patch');
    expect(r).toEqual({ item: { name: 'New' }, remove: ['max_pages'], problems: [] });
  });

  it('refuses to remove a required field', () => {
    const r = validateItem(schema, t('track'), { name: null }, 'patch');
    expect(r.problems).toEqual([
      { field: 'name', rule: 'required', value: null, message: 'is required and cannot be null' },
    ]);
  });
});

describe('parseFieldValue (query strings)', () => {
  it('turns numeric fields into numbers and checks them', () => {
    expect(parseFieldValue(schema, t('job_score'), 'score', '42.5')).toEqual({ value: 42.5 });
    expect(parseFieldValue(schema, t('job_score'), 'score', 'high').problem).toMatchObject({
      field: 'score',
      rule: 'type',
      value: 'high',
    });
    expect(parseFieldValue(schema, t('crm'), 'status', 'maybe').problem?.rule).toBe('enum');
    expect(parseFieldValue(schema, t('crm'), 'nope', 'x').problem?.rule).toBe('unknown_field');
  });
});

describe('prototype keys (bodies as JSON.parse makes them)', () => {
  it('refuses __proto__ and validates nothing through it: a track with search_terms: 5', () => {
    const body = JSON.parse(
      '{"track_id":"me:x","user_id":"me","name":"X","__proto__":{"search_terms":5}}',
    );
    const r = validateItem(schema, t('track'), body, 'full');
    expect(r.problems.map((p) => `${p.field}:${p.rule}`)).toEqual([
      '__proto__:reserved_name',
      'search_terms:required',
    ]);
    expect(Object.getPrototypeOf(r.item)).toBe(Object.prototype);
    expect(r.item).not.toHaveProperty('search_terms');
  });

  it('refuses a crm row hiding status HACKED and applied_date 2026-02-30 in __proto__, in batch items too', () => {
    const body = JSON.parse(
      `{"job_s_id":"me:${'a'.repeat(32)}","user_id":"me","job_id":"${'a'.repeat(32)}","__proto__":{"status":"HACKED","applied_date":"2026-02-30"}}`,
    );
    const r = validateItem(schema, t('crm'), body, 'patch', 'items[2].');
    expect(r.problems.map((p) => `${p.field}:${p.rule}`)).toEqual([
      'items[2].__proto__:reserved_name',
    ]);
    expect(r.item).toEqual({
      job_s_id: `me:${'a'.repeat(32)}`,
      user_id: 'me',
      job_id: 'a'.repeat(32),
    });
  });

  it('refuses constructor and prototype; toString is an unknown field, not a stored attribute', () => {
    const r = validateItem(
      schema,
      t('track'),
      { ...TRACK, constructor: 'x', prototype: 'y', toString: 'z' },
      'full',
    );
    expect(r.problems.map((p) => `${p.field}:${p.rule}`)).toEqual([
      'constructor:reserved_name',
      'prototype:reserved_name',
      'toString:unknown_field',
    ]);
    expect(fieldDef(t('track'), 'toString')).toBeUndefined();
    expect(fieldDef(t('track'), 'name')?.type).toBe('string');
  });

  it('takes no field from a prototype a caller chose', () => {
    const sneaky = Object.create({ search_terms: ['x'], name: 'N' }) as Record<string, unknown>;
    Object.assign(sneaky, { track_id: 'me:x', user_id: 'me' });
    const r = validateItem(schema, t('track'), sneaky, 'full');
    expect(r.problems).toEqual([expect.objectContaining({ field: '(body)', rule: 'type' })]);
  });

  it('refuses reserved names as filters', () => {
    for (const name of ['__proto__', 'constructor', 'prototype'])
      expect(parseFieldValue(schema, t('track'), name, 'x').problem?.rule).toBe('reserved_name');
    expect(parseFieldValue(schema, t('track'), 'toString', 'x').problem?.rule).toBe(
      'unknown_field',
    );
  });
});

describe('numbers DynamoDB can store', () => {
  it('refuses magnitudes below 1e-130 and above 9.99e125 before any range rule', () => {
    const score = (v: number) => validateItem(schema, t('job_score'), { score: v }, 'patch');
    for (const v of [1e-131, -1e-131, 5e-324, 1e126, 1e200])
      expect(score(v).problems[0]?.rule, String(v)).toBe('storable');
    for (const v of [0, 1e-130, 42.5]) expect(score(v).problems, String(v)).toEqual([]);
    expect(
      validateItem(schema, t('keyword'), { weight: -9.99e125 }, 'patch').problems[0]?.rule,
    ).toBe('minimum');
  });

  it('accepts a literal longer than 38 digits: JSON.parse gives its double, which DynamoDB stores', () => {
    const body = JSON.parse('{"weight": 0.1234567890123456789012345678901234567890}');
    const r = validateItem(schema, t('keyword'), body, 'patch');
    expect(r.problems).toEqual([]);
    expect(r.item.weight).toBe(0.12345678901234568);
  });
});

describe('shownValue', () => {
  it('bounds what a problem echoes: depth 2, 20 entries, 200 characters, 100-character keys', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(shownValue(deep)).toEqual(['[…]']);
    expect(shownValue(Array.from({ length: 50 }, (_, i) => i))).toHaveLength(20);
    expect(shownValue('y'.repeat(500))).toBe(`${'y'.repeat(200)}…`);
    const obj = shownValue({ ['k'.repeat(300)]: { a: 1 }, b: [1], c: 'd' });
    expect(obj).toEqual({ [`${'k'.repeat(100)}…`]: '{…}', b: '[…]', c: 'd' });
    expect(JSON.stringify(shownValue(JSON.parse('{"__proto__":{"a":1}}')))).toBe(
      '{"__proto__":"{…}"}',
    );
  });
});

describe('timestamps', () => {
  it('formats in the schema timezone (Asia/Singapore, UTC+8)', () => {
    const d = new Date('2026-11-21T17:05:59Z');
    expect(isoTimestamp(d)).toBe('2026-11-22 01:05');
    expect(isoDate(d)).toBe('2026-11-22');
    expect(isoTimestamp(d, 'UTC')).toBe('2026-11-21 17:05');
    expect(isoTimestamp(new Date('2026-01-01T16:00:00Z'))).toBe('2026-01-02 00:00');
  });

  it('knows real calendar days', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-04-31')).toBe(false);
    expect(isCalendarDate('2026-12-31 23:59')).toBe(true);
    // Century years: leap only when divisible by 400.
    expect(isCalendarDate('2000-02-29')).toBe(true);
    expect(isCalendarDate('2100-02-29')).toBe(false);
    expect(isCalendarDate('2026-06-31')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-01-00')).toBe(false);
  });
});
