import type { ResolvedPolicy } from '../resolved.js';
import { sameAction, type Action } from '../model.js';

/** Something an output format could not say exactly: what was widened (or narrowed) and why. */
export interface Diagnostic {
  readonly code: 'condition-dropped' | 'action-changed' | 'default-action' | 'sub-arch' | 'implicit-allow' | 'needs-listener';
  /** The syscall concerned, when there is one. */
  readonly syscall?: string;
  readonly message: string;
}

/** What every emitter returns: the file's text, and every way it differs from the policy. */
export interface Emitted {
  readonly text: string;
  readonly losses: readonly Diagnostic[];
}

/** For formats that only list allowed names (systemd, firejail): the names, and what listing them loses. */
export function allowedNames(policy: ResolvedPolicy, format: string): { names: string[]; losses: Diagnostic[] } {
  const names: string[] = [];
  const losses: Diagnostic[] = [];
  const allow: Action = { kind: 'allow' };
  for (const s of policy.syscalls) {
    const allows = s.clauses.some((c) => sameAction(c.action, allow));
    const conditional = s.clauses.some((c) => c.when !== null);
    const other = s.clauses.find((c) => !sameAction(c.action, allow) && !sameAction(c.action, policy.defaultAction));
    if (allows) names.push(s.name);
    if (allows && conditional) {
      losses.push({ code: 'condition-dropped', syscall: s.name, message: `${s.name}: ${format} cannot check arguments, so it is allowed for any arguments` });
    }
    if (other) {
      losses.push({ code: 'action-changed', syscall: s.name, message: `${s.name}: ${format} has no per-syscall ${other.action.kind} action; ${allows ? 'allowed' : 'the default action applies'} instead` });
    }
  }
  return { names: names.sort(), losses };
}
