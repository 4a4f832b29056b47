// What `learn from-audit` prints: a summary of what was read, skipped and imported (text or JSON). Pure.
import type { Collection } from './collect.js';
import type { ProfileImport } from './import.js';
import type { ConcreteSource } from './sources/select.js';

export interface AuditReport {
  readonly source: ConcreteSource;
  readonly description: string;
  readonly dryRun: boolean;
  readonly collection: Collection;
  /** Records the --exe/--comm/--uid/--pid filters left out. */
  readonly filteredOut: number;
  readonly profiles: readonly ProfileImport[];
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
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

const EXES_SHOWN = 3;

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
  if (r.profiles.length === 0) lines.push('no records to import');
  else lines.push(`${verb} ${added} new record${added === 1 ? '' : 's'} into ${r.profiles.length} profile${r.profiles.length === 1 ? '' : 's'}:`);
  for (const p of r.profiles) {
    const calls = Object.entries(p.syscalls).map(([arch, names]) => `${arch}: ${names.join(' ')}`).join('; ');
    const already = p.alreadyImported > 0 ? ` (${p.alreadyImported} already imported)` : '';
    const run = p.runId === null ? '' : ` → run ${p.runId}`;
    lines.push(`  ${printable(p.profile)}  +${p.newRecords}${already}${run}${calls ? `  ${calls}` : ''}`);
    const more = p.exes.length > EXES_SHOWN ? `, and ${p.exes.length - EXES_SHOWN} more` : '';
    lines.push(`    ${p.exes.slice(0, EXES_SHOWN).map(printable).join(', ')}${more}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Warnings for stderr: skip reasons with a first place each, and possibly lost records. */
export function reportWarnings(c: Collection): string {
  const lines: string[] = [];
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

/** comm and exe come from the audited program: never let their control bytes reach a terminal. */
function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
