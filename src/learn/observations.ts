import { syscallNumber } from '../syscalls/table.js';
import { ARG_SENSITIVE, parseShapeKey } from '../trace/arg-values.js';
import type { ShapeCount } from '../trace/shape-count.js';
import type { ObservedShape } from './types.js';

/** A stored observation row: the store's aggregate of one (arch, nr, name, shape) over a profile's runs. */
export interface ObservationRow extends ShapeCount {
  readonly runIds: readonly number[];
}

/** Compact values (one per sensitive position, as the store keeps them) → values by argument position. */
export function valuesByPosition(positions: readonly number[] | undefined, compact: readonly (bigint | null)[] | null): (bigint | null)[] | null {
  if (compact === null || positions === undefined) return null;
  const out: (bigint | null)[] = new Array<bigint | null>(Math.max(-1, ...positions) + 1).fill(null);
  positions.forEach((pos, i) => (out[pos] = compact[i] ?? null));
  return out;
}

/** A stored shape key of `name` → its recorded values by argument position (null: none recorded). */
export function storedValues(name: string, shape: string): (bigint | null)[] | null {
  return valuesByPosition(Object.hasOwn(ARG_SENSITIVE, name) ? ARG_SENSITIVE[name] : undefined, parseShapeKey(shape));
}

/** Stored rows → learner shapes. Rows for syscalls our tables do not know (strace's `syscall_0x…`, or a name
 * missing on that arch) cannot become rules; they are returned apart so the caller can say so. */
export function toObservedShapes(
  rows: readonly ObservationRow[],
  decode: (shape: string) => readonly (bigint | null)[] | null,
  positions: Readonly<Record<string, readonly number[]>>,
): { shapes: ObservedShape[]; unknown: ObservationRow[] } {
  const shapes: ObservedShape[] = [];
  const unknown: ObservationRow[] = [];
  for (const row of rows) {
    if (syscallNumber(row.arch, row.name) !== row.nr) unknown.push(row);
    else shapes.push({ arch: row.arch, nr: row.nr, name: row.name, values: valuesByPosition(positions[row.name], decode(row.shape)), count: row.count, runIds: row.runIds });
  }
  return { shapes, unknown };
}
