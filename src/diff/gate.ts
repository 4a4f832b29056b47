// The CI gate: which drift fails the build (`--fail-on`).
import { UsageError } from '../errors.js';
import { permits } from './compare-syscall.js';
import { hasDrift, type ActionChange, type PolicyDiff, type RiskLevel, type SyscallChange } from './model.js';
import { reviewDiff, RISK_LEVELS, type Band } from './review.js';

export const FAIL_ON = ['added', 'removed', 'any', 'risk>=critical', 'risk>=high', 'risk>=medium', 'risk>=low'] as const;
export type FailOn = (typeof FAIL_ON)[number];
/** `risky` is the name of the default risk gate, kept from before `risk>=LEVEL`. */
export const RISKY: FailOn = 'risk>=high';

export function parseFailOn(value: string): FailOn[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => (s === 'risky' ? RISKY : s));
  for (const item of items) {
    if (!(FAIL_ON as readonly string[]).includes(item)) {
      throw new UsageError(`--fail-on must be one or more of ${FAIL_ON.join(', ')}, risky (comma-separated), got '${item}'`);
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
      default: {
        const level = f.slice('risk>='.length) as RiskLevel;
        const review = reviewDiff(diff);
        return [...review.globals, ...review.rows].some((r) => atLeast(r.band, level));
      }
    }
  });
}

function atLeast(band: Band, level: RiskLevel): boolean {
  const i = RISK_LEVELS.indexOf(band as RiskLevel);
  return i !== -1 && i <= RISK_LEVELS.indexOf(level);
}
