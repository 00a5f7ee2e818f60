/**
 * Rows read from the database are checked against db_schema.json: a bad row
 * is refused with its table, id, field and rule, and the good ones are read
 * as they are (defaults filled in, unknown attributes left out).
 */
import { describe, expect, it } from 'vitest';
import { checkStoredRow, describeBadRow } from '../check.js';
import { MemorySource } from '../memory-source.js';
import { RowStore } from '../store.js';

const TRACK = {
  track_id: 'me:data',
  user_id: 'me',
  name: 'Data',
  search_terms: ['data engineer'],
  active: true,
  created: '2026-03-01 09:00',
  last_modified: '2026-03-01 09:00',
  version: 1,
};

describe('checkStoredRow', () => {
  it('accepts a valid row, keeps the managed fields and fills defaults', () => {
    const { active: _, ...noActive } = TRACK;
    const c = checkStoredRow('track', noActive);
    expect(c).toEqual({ ok: true, row: { ...noActive, active: true } });
  });

  it('refuses a track whose search_terms is not a list, naming table, id, field and rule', () => {
    const c = checkStoredRow('track', { ...TRACK, search_terms: 5 });
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.bad).toMatchObject({
      table: 'track',
      id: 'me:data',
      problems: [{ field: 'search_terms', rule: 'type', value: 5 }],
    });
    expect(describeBadRow(c.bad)).toBe(
      'track me:data: search_terms (type) must be a list of strings',
    );
  });

  it('refuses missing required fields, bad enums, impossible dates and bad managed fields', () => {
    const noName = checkStoredRow('track', { ...TRACK, name: undefined });
    expect(!noName.ok && noName.bad.problems.map((p) => [p.field, p.rule])).toEqual([
      ['name', 'required'],
    ]);
    const crm = checkStoredRow('crm', {
      job_s_id: `me:${'a'.repeat(32)}`,
      user_id: 'me',
      job_id: 'a'.repeat(32),
      status: 'HACKED',
      applied_date: '2026-02-30',
    });
    expect(!crm.ok && crm.bad.problems.map((p) => [p.field, p.rule])).toEqual([
      ['status', 'enum'],
      ['applied_date', 'format'],
    ]);
    const version = checkStoredRow('track', { ...TRACK, version: 'x' });
    expect(!version.ok && version.bad.problems.map((p) => [p.field, p.rule])).toEqual([
      ['version', 'type'],
    ]);
    const notObject = checkStoredRow('track', ['x']);
    expect(!notObject.ok && notObject.bad).toMatchObject({ id: '(no key)' });
  });

  it('leaves out attributes the schema does not know, __proto__ and constructor included', () => {
    const raw = JSON.parse(
      JSON.stringify({ ...TRACK, extra: 1 }).replace(
        /^\{/,
        '{"__proto__":{"search_terms":5,"polluted":true},"constructor":"x",',
      ),
    );
    const c = checkStoredRow('track', raw);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(Object.getPrototypeOf(c.row)).toBe(Object.prototype);
    expect(Object.keys(c.row).sort()).toEqual(Object.keys(TRACK).sort());
    expect((c.row as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks only the projected fields of a projected read, their required ones included', () => {
    const job = { job_id: 'b'.repeat(32), mcf_updated_at: '2026-03-01 09:00' };
    expect(checkStoredRow('job', job, { fields: ['job_id', 'mcf_updated_at'] })).toEqual({
      ok: true,
      row: job,
    });
    const bad = checkStoredRow(
      'job',
      { ...job, mcf_updated_at: 7 },
      { fields: ['job_id', 'mcf_updated_at'] },
    );
    expect(!bad.ok && bad.bad.problems.map((p) => p.field)).toEqual(['mcf_updated_at']);
    const noSeen = checkStoredRow(
      'job_search',
      { job_s_id: `me:${'b'.repeat(32)}` },
      {
        fields: ['job_s_id', 'last_seen'],
      },
    );
    expect(!noSeen.ok && noSeen.bad.problems.map((p) => [p.field, p.rule])).toEqual([
      ['last_seen', 'required'],
    ]);
  });
});

describe('RowStore', () => {
  it('reads the good rows, reports each bad one once and counts it', async () => {
    const source = new MemorySource();
    source.put('track', [
      TRACK,
      { ...TRACK, track_id: 'me:bad', search_terms: 5 },
      { ...TRACK, track_id: 'you:x', user_id: 'you' },
    ]);
    const reported: string[] = [];
    const rows = new RowStore(source, { onBadRow: (b) => reported.push(describeBadRow(b)) });
    expect((await rows.all('track')).map((t) => t.track_id)).toEqual(['me:data', 'you:x']);
    expect((await rows.all('track', { user_id: 'me' })).map((t) => t.track_id)).toEqual([
      'me:data',
    ]);
    expect(reported).toEqual([
      'track me:bad: search_terms (type) must be a list of strings',
      'track me:bad: search_terms (type) must be a list of strings',
    ]);
    expect(rows.skipped).toBe(2);
    const byId = await rows.getMany('track', ['me:bad', 'me:data', 'nobody:x']);
    expect([...byId.keys()]).toEqual(['me:data']);
  });
});
