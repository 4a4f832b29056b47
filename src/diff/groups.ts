// The report's sections, shared by every renderer.
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

/** `3 newly allowed, 1 no longer allowed, 1 argument rule widened` (empty parts left out). */
export function summarize(g: DiffGroups): string {
  const parts: string[] = [];
  const n = (count: number, what: string) => count > 0 && parts.push(`${count} ${what}`);
  n(g.added.length, 'newly allowed');
  n(g.removed.length, 'no longer allowed');
  n(g.widened.length, g.widened.length === 1 ? 'argument rule widened' : 'argument rules widened');
  n(g.narrowed.length, g.narrowed.length === 1 ? 'argument rule narrowed' : 'argument rules narrowed');
  n(g.actions.length, g.actions.length === 1 ? 'action changed' : 'actions changed');
  return parts.join(', ');
}
