import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_TYPES_FILE, renderTypes } from '../generate-types.js';
import { checkSchema, projectSchema } from '../schema.js';
import { TABLE_NAMES } from '../types.generated.js';

describe('types.generated.ts', () => {
  it('is up to date with db_schema.json (run `npm run generate:types` when this fails)', () => {
    expect(readFileSync(GENERATED_TYPES_FILE, 'utf8')).toBe(renderTypes(projectSchema()));
  });

  it('lists every table of the schema', () => {
    expect([...TABLE_NAMES]).toEqual(Object.keys(projectSchema().tables));
  });

  it('renders enums as unions, optional fields as optional and managed fields only in rows', () => {
    const text = renderTypes(projectSchema());
    const crmRow = /export interface CrmRow \{([\s\S]*?)\n\}/.exec(text)![1]!;
    const crmInput = /export interface CrmInput \{([\s\S]*?)\n\}/.exec(text)![1]!;
    expect(crmRow).toContain(
      '  status: "new" | "screened" | "shortlisted" | "applied" | "interviewing" | "offer" | "closed";',
    );
    // A required field with a default may be omitted on write.
    expect(crmInput).toContain('  status?: "new" |');
    expect(crmRow).toContain('  notes?: string;');
    expect(crmRow).toContain('  version: number;');
    expect(crmInput).not.toContain('version');
    expect(crmInput).not.toContain('last_modified');
    expect(crmInput).toContain('  job_s_id: string;');
  });

  it('changes when the schema changes', () => {
    const doc = JSON.parse(
      readFileSync(GENERATED_TYPES_FILE.replace('types.generated.ts', 'db_schema.json'), 'utf8'),
    );
    doc.tables.track.fields.colour = { type: 'string', enum: ['red', 'blue'] };
    const text = renderTypes(checkSchema(doc));
    expect(text).toContain('  colour?: "red" | "blue";');
    expect(text).not.toBe(renderTypes(projectSchema()));
  });
});
