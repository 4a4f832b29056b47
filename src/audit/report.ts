// What `learn from-audit` prints: a summary of what was read, skipped and imported (text or JSON). Pure.
import type { Collection } from './collect.js';
import type { ProfileImport } from './import.js';
import type { ConcreteSource } from './sources/select.js';
import { printable } from '../text/safe-text.js';

export interface AuditReport {
  readonly source: ConcreteSource;
  readonly description: string;
  readonly dryRun: boolean;
  readonly collection: Collection;
  /** Records the --exe/--comm/--uid/--pid filters left out. */
  readonly filteredOut: number;
  readonly profiles: readonly ProfileImport[];
  /** Groups kept out of their profile (another executable or user), with why; only those with new records. */
  readonly refused: readonly (ProfileImport & { readonly reason: string })[];
}

export function reportJson(r: AuditReport): string {
  const c = r.collection;
  const json = {
    source: r.source,
    description: r.description,
    dryRun: r.dryRun,
    records: {
      seen: c.seen,
      usable: c.records.length,
      duplicates: c.duplicates,
      outsideWindow: c.outsideWindow,
      filteredOut: r.filteredOut,
      skipped: Object.fromEntries([...c.skipped].sort(([a], [b]) => a.localeCompare(b))),
      skippedSamples: c.skippedSamples,
    },
    possiblyLost: { reports: c.lossReports, atLeast: c.lostAtLeast },
    profiles: r.profiles,
    refused: r.refused,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** The summary for stdout. */
export function reportText(r: AuditReport): string {
  const c = r.collection;
  const lines = [`source: ${r.description}`];
  const parts = [`${c.seen} SECCOMP record${c.seen === 1 ? '' : 's'} read`];
  if (c.duplicates > 0) parts.push(`${c.duplicates} duplicate${c.duplicates === 1 ? '' : 's'} counted once`);
  if (c.outsideWindow > 0) parts.push(`${c.outsideWindow} outside the time window`);
  if (r.filteredOut > 0) parts.push(`${r.filteredOut} left out by filters`);
  const skipped = totalSkipped(c);
  if (skipped > 0) parts.push(`${skipped} skipped`);
  lines.push(parts.join(', '));
  const added = r.profiles.reduce((n, p) => n + p.newRecords, 0);
  const verb = r.dryRun ? 'would import' : 'imported';
  const named = new Set(r.profiles.map((p) => p.profile)).size; // --name may put several programs into one
  if (r.profiles.length === 0) lines.push('no records to import');
  else lines.push(`${verb} ${added} new record${added === 1 ? '' : 's'} into ${named} profile${named === 1 ? '' : 's'}:`);
  for (const p of r.profiles) {
    const calls = Object.entries(p.syscalls).map(([arch, names]) => `${arch}: ${names.join(' ')}`).join('; ');
    const already = p.alreadyImported > 0 ? ` (${p.alreadyImported} already imported)` : '';
    const run = p.runId === null ? '' : ` → run ${p.runId}`;
    lines.push(`  ${printable(p.profile)}  +${p.newRecords}${already}${run}${calls ? `  ${calls}` : ''}`);
    lines.push(`    ${contributor(p)}`);
  }
  if (r.refused.length > 0) {
    lines.push(`not imported (another executable or user than the profile's; --merge adds them anyway):`);
    for (const p of r.refused) {
      const calls = Object.entries(p.syscalls).map(([arch, names]) => `${arch}: ${names.join(' ')}`).join('; ');
      lines.push(`  ${printable(p.profile)}  ${p.newRecords} record${p.newRecords === 1 ? '' : 's'} of ${contributor(p)}: ${printable(p.reason)}`);
      if (calls) lines.push(`    ${calls}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Who a group's records came from: the executable (or comm) and the uid. */
function contributor(p: ProfileImport): string {
  return `${printable(p.exe ?? p.exes[0] ?? '?')} (${p.uid === null ? 'unknown uid' : `uid ${p.uid}`})`;
}

/** Warnings for stderr: skip reasons with a first place each, refused groups, and possibly lost records. */
export function reportWarnings(c: Collection, refused: AuditReport['refused'] = []): string {
  const lines: string[] = [];
  const kept = refused.reduce((n, p) => n + p.newRecords, 0);
  if (kept > 0) lines.push(`warning: ${kept} record${kept === 1 ? '' : 's'} of another executable or user than their profile's not imported (see the report; --merge adds them)`);
  for (const [reason, count] of [...c.skipped].sort(([a], [b]) => a.localeCompare(b))) {
    const first = c.skippedSamples.find((s) => s.reason === reason);
    lines.push(`skipped ${count} record${count === 1 ? '' : 's'}: ${printable(reason)}${first ? ` (first at ${printable(first.place)})` : ''}`);
  }
  if (c.lossReports > 0) {
    const n = c.lostAtLeast > 0 ? `at least ${c.lostAtLeast}` : 'an unknown number of';
    lines.push(`incomplete: ${n} records suppressed (the kernel reported ${c.lossReports} time${c.lossReports === 1 ? '' : 's'} that it dropped audit messages: rate limit or backlog)`);
  }
  return lines.map((l) => `learn: ${l}\n`).join('');
}

function totalSkipped(c: Collection): number {
  let n = 0;
  for (const count of c.skipped.values()) n += count;
  return n;
}

