/**
 * Fargate task sizes: the `cpu` and `memory` inputs, and the combinations
 * Fargate accepts (checked before a task is started, so a bad pair fails at
 * once with the valid memory sizes for that CPU rather than with RunTask's
 * "No Fargate configuration exists for given values").
 */
import { ActionError } from '../../../core/errors.js';
import { InputError } from '../../../core/values.js';

/** CPU units -> the memory sizes (MiB) Fargate accepts with it. */
const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

const CPU_ACCEPTED = `CPU units (${[...FARGATE_SIZES.keys()].join(', ')}) or vCPUs such as 0.25 vCPU, 1 vCPU, 4 vCPU`;
const MEMORY_ACCEPTED = 'MiB such as 512, 2048, or GB such as 0.5 GB, 2GB, 30 GB';

/** `1024`, `1 vCPU`, `0.25vcpu` -> CPU units. */
export function parseCpu(input: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(vcpu)?$/i.exec(value.trim());
  const units = m ? (m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1])) : Number.NaN;
  if (!FARGATE_SIZES.has(units)) throw new InputError(input, value, CPU_ACCEPTED);
  return units;
}

/** `2048`, `2GB`, `0.5 GB`, `2048 MiB` -> MiB. */
export function parseMemory(input: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib)?$/i.exec(value.trim());
  if (!m) throw new InputError(input, value, MEMORY_ACCEPTED);
  const mib = /^g/i.test(m[2] ?? '') ? Number(m[1]) * 1024 : Number(m[1]);
  if (!Number.isInteger(mib) || mib < 512) throw new InputError(input, value, MEMORY_ACCEPTED);
  return mib;
}

/**
 * Checks a CPU/memory pair against Fargate's table. `source` says where each
 * value came from, for the message (an input or the task definition).
 */
export function checkFargateSize(cpu: number, memory: number, source: string): void {
  const allowed = FARGATE_SIZES.get(cpu);
  if (allowed?.includes(memory)) return;
  throw new ActionError(
    `Fargate has no task size with ${cpu} CPU units and ${memory} MiB of memory (${source}).`,
    allowed
      ? `With ${cpu} CPU units, memory must be one of: ${describeSizes(allowed)} MiB.`
      : `CPU must be one of ${[...FARGATE_SIZES.keys()].join(', ')} units.`,
  );
}

function describeSizes(sizes: readonly number[]): string {
  if (sizes.length <= 4) return sizes.join(', ');
  const step = sizes[1]! - sizes[0]!;
  return `${sizes[0]} to ${sizes[sizes.length - 1]} in steps of ${step}`;
}
