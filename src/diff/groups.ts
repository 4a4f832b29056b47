// The report's sections by kind of change, for the JSON report.
import type { PolicyDiff, SyscallChange } from './model.js';

type Of<K extends SyscallChange['kind']> = Extract<SyscallChange, { kind: K }>;

export interface DiffGroups {
  readonly added: readonly Of<'added'>[];
  readonly removed: readonly Of<'removed'>[];
  readonly widened: readonly Of<'widened' | 'narrowed'>[];
  readonly narrowed: readonly Of<'widened' | 'narrowed'>[];
  readonly actions: readonly Of<'action'>[];
}

export function groupChanges(diff: PolicyDiff): DiffGroups {
  const of = <K extends SyscallChange['kind']>(kind: K) => diff.syscalls.filter((c): c is Of<K> => c.kind === kind);
  return { added: of('added'), removed: of('removed'), widened: of('widened'), narrowed: of('narrowed'), actions: of('action') };
}
