// Looks up the risk note of a syscall in the built-in table.
import type { RiskNote } from './model.js';
import { RISK_GROUPS } from './risk-table.js';

const BY_NAME: ReadonlyMap<string, RiskNote> = (() => {
  const map = new Map<string, RiskNote>();
  for (const g of RISK_GROUPS) {
    for (const name of g.syscalls) if (!map.has(name)) map.set(name, { level: g.level, group: g.group, reason: g.reason });
  }
  return map;
})();

const UNKNOWN: RiskNote = { level: 'medium', group: 'unclassified', reason: 'not in the built-in risk table: review what it does' };

/** The note for `syscall`; compat spellings (`getuid32`, `futex_time64`) share their base call's note. */
export function riskOf(syscall: string): RiskNote {
  return BY_NAME.get(syscall) ?? BY_NAME.get(syscall.replace(/_time64$|32$|64$/, '')) ?? UNKNOWN;
}
