/**
 * The workbook's tabs: created when missing, with the header row (bold,
 * frozen), column widths, dropdowns for the choice columns, TRUE/FALSE for
 * flags, yyyy-mm-dd dates and a colour scale on score. A tab that exists gets
 * its missing header cells added after the last used column.
 */
import type ExcelJS from 'exceljs';
import { columnLetter } from '../google/a1.js';
import { headerKey, TABS } from '../layout.js';

/** Rows the dropdowns and the colour scale cover (exceljs expands validation ranges cell by cell when reading). */
const ROWS = 5_000;

interface Validations {
  add(ref: string, rule: Record<string, unknown>): void;
}

export function addMissingTabs(wb: ExcelJS.Workbook): string[] {
  const added: string[] = [];
  for (const tab of TABS) {
    let ws = wb.getWorksheet(tab.name);
    const fresh = !ws;
    ws ??= wb.addWorksheet(tab.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    const header = ws.getRow(1);
    const present = new Map<string, number>();
    header.eachCell((cell, c) => present.set(headerKey(String(cell.value ?? '')), c));
    let next = Math.max(0, ...present.values()) + 1;
    for (const col of tab.columns) {
      let at = present.get(headerKey(col.header));
      if (at === undefined) {
        at = next++;
        const cell = header.getCell(at);
        cell.value = col.header;
        cell.font = { bold: true };
        added.push(`${tab.name}.${col.header}`);
      }
      if (!fresh) continue;
      const letter = columnLetter(at - 1);
      ws.getColumn(at).width = Math.round(col.width / 7);
      const ref = `${letter}2:${letter}${ROWS}`;
      if (col.kind === 'choice')
        validations(ws).add(ref, {
          type: 'list',
          allowBlank: true,
          formulae: [`"${col.choices!.join(',')}"`],
          showErrorMessage: true,
        });
      if (col.kind === 'boolean')
        validations(ws).add(ref, { type: 'list', allowBlank: true, formulae: ['"TRUE,FALSE"'] });
      if (col.kind === 'date') ws.getColumn(at).numFmt = 'yyyy-mm-dd';
      if (col.field === 'score')
        ws.addConditionalFormatting({
          ref,
          rules: [
            {
              type: 'colorScale',
              priority: 1,
              cfvo: [
                { type: 'num', value: 0 },
                { type: 'num', value: 50 },
                { type: 'num', value: 100 },
              ],
              color: [{ argb: 'FFF4CCCC' }, { argb: 'FFFFF2BF' }, { argb: 'FFB7E1CD' }],
            },
          ],
        });
    }
  }
  return added;
}

function validations(ws: ExcelJS.Worksheet): Validations {
  return (ws as unknown as { dataValidations: Validations }).dataValidations;
}
