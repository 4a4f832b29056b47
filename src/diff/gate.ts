// The CI gate: which drift fails the build (`--fail-on`).
import { UsageError } from '../errors.js';
import { permits } from './compare-syscall.js';
import { hasDrift, type ActionChange, type PolicyDiff, type SyscallChange } from './model.js';
import { riskAtLeast } from './risk.js';

export const FAIL_ON = ['added', 'removed', 'any', 'risky'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export function parseFailOn(value: string): FailOn[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) {
    if (!(FAIL_ON as readonly string[]).includes(item)) {
      throw new UsageError(`--fail-on must be one or more of ${FAIL_ON.join(', ')} (comma-separated), got '${item}'`);
    }
  }
  if (items.length === 0) throw new UsageError('--fail-on needs a value');
  return items as FailOn[];
}

/** Changes that let more through: new syscalls, wider argument rules, a more permissive default. */
export function grants(c: SyscallChange): boolean {
  return c.kind === 'added' || c.kind === 'widened';
}

function loosens(a: ActionChange | null): boolean {
  return a !== null && permits(a.to) && !permits(a.from);
}

function tightens(a: ActionChange | null): boolean {
  return a !== null && permits(a.from) && !permits(a.to);
}

/** True when the diff holds drift of a kind the gate fails on. */
export function gateFails(diff: PolicyDiff, failOn: readonly FailOn[]): boolean {
  return failOn.some((f) => {
    switch (f) {
      case 'any':
        return hasDrift(diff);
      case 'added':
        return diff.syscalls.some(grants) || loosens(diff.defaultAction) || loosens(diff.foreignArchAction);
      case 'removed':
        return (
          diff.syscalls.some((c) => c.kind === 'removed' || c.kind === 'narrowed') ||
          tightens(diff.defaultAction) || tightens(diff.foreignArchAction)
        );
      case 'risky':
        return diff.syscalls.some((c) => grants(c) && 'risk' in c && riskAtLeast(c.risk, 'high')) || loosens(diff.defaultAction);
    }
  });
}
