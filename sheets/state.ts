/**
 * The last synced value of every row, kept in the hidden tab `_mcfpipe_state`
 * of the spreadsheet itself (or workbook), one row per (tab, key): the base of
 * the three-way merge. It is written in the same atomic batch as the cells,
 * so the two never disagree.
 *
 * Invariant: a base value is only ever a value the Sheet was read holding
 * (and the database then held too). A value the sync writes into an existing
 * row becomes the base only once a later read sees it there, so a write that
 * did not land (quota, a sheet changed under it) can never pass for a user
 * edit. A new row's values are its base from the start, flagged `appended`
 * until a read finds the row.
 */
import type { Cell } from './cells.js';
import type { Grid, Problem } from './grid.js';
import { STATE_TAB } from './layout.js';

export interface RowState {
  /** Canonical text per field (key and user columns). */
  values: Record<string, string>;
  /** The user removed the row from the Sheet: it is not added again. */
  removed?: boolean;
  /**
   * The sync appended the row with these values and has not read it back yet:
   * found next time, the values are the base; not found, it is appended again
   * (the append did not land) rather than taken as removed by the user.
   */
  appended?: boolean;
}

/** tab -> key -> state */
export type SyncState = Map<string, Map<string, RowState>>;

export const STATE_HEADER = ['tab', 'key', 'synced'] as const;

export function parseState(grid: Grid | undefined, problems: Problem[]): SyncState {
  const state: SyncState = new Map();
  if (!grid) return state;
  for (let r = 1; r < grid.length; r++) {
    const [tab, key, json] = grid[r] ?? [];
    if (typeof tab !== 'string' || typeof key !== 'string' || !tab || !key) continue;
    let parsed: unknown;
    try {
      parsed = typeof json === 'string' ? JSON.parse(json) : undefined;
    } catch {
      parsed = undefined;
    }
    const entry = toRowState(parsed);
    if (!entry) {
      problems.push({
        tab: STATE_TAB,
        row: r + 1,
        column: 'synced',
        key: `${tab}/${key}`,
        message:
          'unreadable sync state; the row is merged as if never synced (differences are reported as conflicts)',
      });
      continue;
    }
    if (!state.has(tab)) state.set(tab, new Map());
    state.get(tab)!.set(key, entry);
  }
  return state;
}

function toRowState(v: unknown): RowState | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as { v?: unknown; removed?: unknown; appended?: unknown };
  if (typeof o.v !== 'object' || o.v === null || Array.isArray(o.v)) return undefined;
  const values: Record<string, string> = Object.create(null);
  for (const [k, val] of Object.entries(o.v)) if (typeof val === 'string') values[k] = val;
  return {
    values,
    ...(o.removed === true ? { removed: true } : {}),
    ...(o.appended === true ? { appended: true } : {}),
  };
}

/**
 * The state tab's grid. Rows keep their place from `previous` (the tab as
 * read) and new rows go after them, so a sync rewrites only the rows that
 * changed (Google recommends request bodies under 2 MB; the whole tab of a
 * 10,000-row sheet is about 4 MB).
 */
export function stateGrid(state: SyncState, previous?: Grid): Grid {
  const rows: Cell[][] = [[...STATE_HEADER]];
  const placed = new Set<string>();
  const place = (tab: string, key: string) => {
    const s = state.get(tab)?.get(key);
    const id = `${tab}\u0000${key}`;
    if (!s || placed.has(id)) return;
    placed.add(id);
    const flags = {
      ...(s.removed ? { removed: true } : {}),
      ...(s.appended ? { appended: true } : {}),
    };
    rows.push([tab, key, JSON.stringify({ v: s.values, ...flags })]);
  };
  for (let r = 1; r < (previous?.length ?? 0); r++) {
    const [tab, key] = previous![r] ?? [];
    if (typeof tab === 'string' && typeof key === 'string') place(tab, key);
  }
  for (const tab of [...state.keys()].sort())
    for (const key of [...state.get(tab)!.keys()].sort()) place(tab, key);
  return rows;
}
