/**
 * One sync of the spreadsheet (or workbook) with the database:
 *
 *   read every tab (1 API call)
 *   -> merge each tab three ways (Sheet, database, last synced state)
 *   -> write the user's edits to the database (first: see below)
 *   -> write the Sheet in one atomic batch, verified against the pre-image
 *      the batch returns (1 call)
 *   -> only if the user changed the Sheet under the write: put back every
 *      cell written in the wrong place and write again, planned on the Sheet
 *      as it now is (1 call); if even that write finds the Sheet changed
 *      again, stop with the list of cells and their earlier values.
 *
 * The database is written before the Sheet: if the Sheet write then fails
 * (quota, network), the next sync finds the edit in both and only records it
 * as synced. Written the other way round, a lost Sheet write would make the
 * next sync take the database's older value for a change of the Sheet.
 */
import {
  type Append,
  appendLocked,
  isLocked,
  type LockedArea,
  type PositionalWrite,
  type Restore,
  type SheetBackend,
  type WriteBatch,
} from './backend.js';
import { toCell } from './cells.js';
import { type Grid, type ParsedTab, type Problem, parseTab } from './grid.js';
import { keyColumn, SNAPSHOT_PREFIX, STATE_TAB, TABS, type TabSpec } from './layout.js';
import { type Conflict, mergeTab, type TabPlan } from './merge.js';
import { parseState, type SyncState, stateGrid } from './state.js';
import type { SyncStore } from './store.js';
import { afterImage, type Misplaced, sameCell, verifyWrite } from './verify.js';

export interface SyncOptions {
  backend: SheetBackend;
  store: SyncStore;
  user: string;
  log?: (message: string) => void;
}

export interface SyncReport {
  status: 'done' | 'failed';
  backend: string;
  /** API calls of the backend (reads and writes; a retried call counts once). */
  calls: number;
  /** Sheet writes: 0 (nothing changed), 1, or 2 when the Sheet changed during the sync. */
  writes: number;
  appended: number;
  updatedCells: number;
  imported: number;
  /** Cells written in the wrong place because the Sheet changed under the write, then put back. */
  repaired: number;
  conflicts: Conflict[];
  problems: Problem[];
  /** status failed: cells the last write may have overwritten, with their earlier values. */
  unrepaired: Misplaced[];
  message?: string;
}

interface TabWork {
  spec: TabSpec;
  parsed: ParsedTab;
  plan: TabPlan;
}

export async function sync(opts: SyncOptions): Promise<SyncReport> {
  const { backend, store, user } = opts;
  const log = opts.log ?? (() => {});
  const report: SyncReport = {
    status: 'done',
    backend: backend.description,
    calls: 0,
    writes: 0,
    appended: 0,
    updatedCells: 0,
    imported: 0,
    repaired: 0,
    conflicts: [],
    problems: [],
    unrepaired: [],
  };
  log(`reading ${backend.description}`);
  const book = await backend.read();
  let sheet = book.tabs;
  let expectedBefore = book.tabs;
  let restores: Restore[] = [];
  /** Cells the first write put in the wrong place, while their repair is not written. */
  let pending: Misplaced[] = [];
  const storeProblems: Problem[] = [];
  for (let round = 1; round <= 2; round++) {
    const db = await store.load(user);
    const stateProblems: Problem[] = [];
    const state = parseState(sheet.get(STATE_TAB), stateProblems);
    const work: TabWork[] = TABS.map((spec) => {
      const grid = sheet.get(spec.name);
      const parsed = parseTab(spec, grid);
      const plan = mergeTab({
        parsed,
        grid: grid ?? [],
        db: db.get(spec.name) ?? new Map(),
        base: state.get(spec.name) ?? new Map(),
        importNewRows: spec.name !== 'jobs',
      });
      withoutLocked(spec, parsed, plan, book.locked?.get(spec.name));
      return { spec, parsed, plan };
    });
    report.conflicts = work.flatMap((w) => w.plan.conflicts);
    report.problems = [
      ...(store.loadProblems?.() ?? []),
      ...stateProblems,
      ...work.flatMap((w) => [...w.parsed.problems, ...w.plan.problems]),
    ];
    const imports = work.flatMap((w) => w.plan.imports);
    if (imports.length) {
      log(`writing ${imports.length} edited row(s) to the database`);
      const applied = await store.apply(user, imports, db);
      report.imported += applied.written;
      storeProblems.push(...applied.problems);
    }
    const nextState: SyncState = new Map(work.map((w) => [w.spec.name, w.plan.state]));
    const stateBefore = sheet.get(STATE_TAB);
    const batch = {
      ...buildBatch(round, work, restores, stateGrid(nextState, stateBefore)),
      ...(stateBefore ? { stateBefore } : {}),
    };
    if (isNoop(batch, sheet.get(STATE_TAB))) break;
    log(
      `writing ${batch.writes.length} cell(s), ${batch.appends.reduce((n, a) => n + a.rows.length, 0)} new row(s)` +
        (batch.restores.length ? `, putting back ${batch.restores.length} cell(s)` : ''),
    );
    let outcome: Awaited<ReturnType<SheetBackend['write']>>;
    try {
      outcome = await backend.write(batch);
    } catch (err) {
      if (!pending.length) throw err;
      // The repair could not be written: say which cells the first write may have put in the wrong place.
      const cells = pending.map(
        (m) => `${m.tab} row ${m.row + 1} column ${m.col + 1} (was ${JSON.stringify(m.before)})`,
      );
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\nThe Sheet changed while the sync wrote to it and the repair could not be written: ${cells.length} cell(s) may hold a value written in the wrong place: ${cells.slice(0, 50).join('; ')}${cells.length > 50 ? '; …' : ''}. Their earlier values are also in the hidden tabs "${SNAPSHOT_PREFIX}.<tab>.1". Put them back (or undo in the Sheet's version history) before the next sync.`,
        { cause: err },
      );
    }
    report.writes++;
    const keyCols = new Map(
      work
        .filter((w) => w.parsed.usable)
        .map((w) => [w.spec.name, w.parsed.columns.get(w.spec.columns[0]!.field)!]),
    );
    const verdict = verifyWrite(batch, expectedBefore, keyCols, outcome);
    report.updatedCells += batch.writes.length;
    report.appended += batch.appends.reduce((n, a) => n + a.rows.length, 0);
    if (verdict.ok) break;
    if (round === 2) {
      report.status = 'failed';
      report.unrepaired = verdict.misplaced;
      report.message =
        'the Sheet kept changing while the sync wrote to it: the cells listed may hold a value the sync wrote in the wrong place; their earlier values are listed here and kept in the hidden tabs ' +
        '"_mcfpipe_before_sync.<tab>.1/.2". Run the sync again when nobody is editing.';
      break;
    }
    log(
      `the Sheet changed during the write: putting back ${verdict.restores.length} cell(s) and writing again`,
    );
    report.repaired += verdict.misplaced.length;
    report.updatedCells -= batch.writes.length;
    report.appended -= batch.appends.reduce((n, a) => n + a.rows.length, 0);
    restores = verdict.restores;
    pending = verdict.misplaced;
    const next = new Map(sheet);
    const before = new Map(sheet);
    for (const [tab, pre] of outcome.before) {
      const after = afterImage(pre.grid, batch, tab, outcome.appendedAt);
      before.set(tab, after);
      next.set(
        tab,
        afterImage(after, { ...batch, restores, writes: [], appends: [] }, tab, outcome.appendedAt),
      );
    }
    next.set(STATE_TAB, batch.state);
    before.set(STATE_TAB, batch.state);
    sheet = next;
    expectedBefore = before;
  }
  report.problems.push(...storeProblems);
  report.calls = backend.calls;
  return report;
}

/**
 * Leaves out the writes into cells a protected range keeps from the sync's
 * account (one such write would fail the whole atomic batch), each reported;
 * the database value stays unwritten until the protection allows it.
 */
function withoutLocked(
  spec: TabSpec,
  parsed: ParsedTab,
  plan: TabPlan,
  locked: LockedArea[] | undefined,
): void {
  if (!locked?.length) return;
  const header = new Map(spec.columns.map((c) => [c.field, c.header]));
  plan.writes = plan.writes.filter((w) => {
    if (!isLocked(locked, w.row, w.col)) return true;
    plan.problems.push({
      tab: spec.name,
      row: w.row + 1,
      column: header.get(w.field) ?? w.field,
      key: w.key,
      message: `the cell is protected (Data > Protect sheets and ranges) and the sync's account may not edit it; ${JSON.stringify(w.value)} from the database is not written until it may`,
    });
    return false;
  });
  if (
    plan.appends.length &&
    appendLocked(locked, parsed.lastDataRow + 1, plan.appends.length, [...parsed.columns.values()])
  ) {
    plan.problems.push({
      tab: spec.name,
      row: parsed.lastDataRow + 2,
      message: `${plan.appends.length} new row(s) cannot be added: the rows below the last one are protected (Data > Protect sheets and ranges) and the sync's account may not edit them; they are added once it may`,
    });
    plan.appends = [];
  }
}

function buildBatch(round: number, work: TabWork[], restores: Restore[], state: Grid): WriteBatch {
  const writes: PositionalWrite[] = [];
  const appends: Append[] = [];
  for (const { spec, parsed, plan } of work) {
    const cols = new Map(spec.columns.map((c) => [c.field, c]));
    for (const w of plan.writes) {
      const col = cols.get(w.field)!;
      writes.push({
        tab: w.tab,
        row: w.row,
        col: w.col,
        cell: toCell(col, w.value),
        ...(col.kind === 'date' ? { date: true } : {}),
      });
    }
    if (!plan.appends.length) continue;
    const width = Math.max(...parsed.columns.values()) + 1;
    appends.push({
      tab: spec.name,
      keyCol: parsed.columns.get(keyColumn(spec).field)!,
      keys: plan.appends.map((a) => a.key),
      rows: plan.appends.map((a) => {
        const cells = Array.from(
          { length: width },
          () => ({ cell: null }) as { cell: ReturnType<typeof toCell>; date?: boolean },
        );
        for (const [field, at] of parsed.columns) {
          const col = cols.get(field)!;
          cells[at] = {
            cell: toCell(col, a.values[field] ?? ''),
            ...(col.kind === 'date' ? { date: true } : {}),
          };
        }
        return cells;
      }),
    });
  }
  return { round, restores, writes, appends, state };
}

function isNoop(batch: WriteBatch, stateNow: Grid | undefined): boolean {
  if (batch.restores.length || batch.writes.length || batch.appends.length) return false;
  if (!stateNow || stateNow.length !== batch.state.length) return false;
  return batch.state.every((row, r) => row.every((c, i) => sameCell(c, stateNow[r]?.[i] ?? null)));
}
