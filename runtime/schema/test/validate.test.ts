import { describe, expect, it } from 'vitest';
import { projectSchema } from '../schema.js';
import { isCalendarDate, isoDate, isoTimestamp } from '../timestamps.js';
import { parseFieldValue, validateItem } from '../validate.js';

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
  });
});
