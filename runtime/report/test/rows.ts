/** Test rows in memory, read through the runtime's row store as a stage reads them. */
import { MemorySource } from '../../rows/memory-source.js';
import { RowStore } from '../../rows/store.js';
import type { TableName } from '../../schema/types.generated.js';

export function memoryRows(tables: Partial<Record<TableName, unknown[]>>): RowStore {
  const source = new MemorySource();
  for (const [table, rows] of Object.entries(tables)) source.put(table as TableName, rows ?? []);
  return new RowStore(source);
}
