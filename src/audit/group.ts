// Records → profiles. Default: one profile per executable, named after its basename (so `learn -- nginx` and
// nginx's audit records meet in the same profile); `--name` puts everything selected into one profile.
import { basename } from 'node:path';
import type { Arch } from '../abi/arch.js';
import { profileNameFrom } from '../store/profile-name.js';
import { stampMs, type AuditRecord } from './record.js';

export interface RecordSelector {
  /** One profile with this name instead of one per executable. */
  readonly name?: string | undefined;
  readonly exe?: string | undefined;
  readonly comm?: string | undefined;
  readonly uid?: number | undefined;
  readonly pid?: number | undefined;
}

export interface RecordGroup {
  readonly profile: string;
  /** Executables whose records went into this profile, sorted. */
  readonly exes: readonly string[];
  readonly records: readonly AuditRecord[];
}

export function selectRecords(records: readonly AuditRecord[], sel: RecordSelector): AuditRecord[] {
  return records.filter(
    (r) =>
      (sel.exe === undefined || r.exe === sel.exe) &&
      (sel.comm === undefined || r.comm === sel.comm) &&
      (sel.uid === undefined || r.uid === sel.uid) &&
      (sel.pid === undefined || r.pid === sel.pid),
  );
}

/** The profile a record belongs to when no --name is given. */
export function profileNameOf(r: AuditRecord): string {
  if (r.exe !== null && r.exe !== '') return profileNameFrom(basename(r.exe) || r.exe);
  return r.comm !== null && r.comm !== '' ? profileNameFrom(r.comm) : 'unknown';
}

/** Groups selected records by profile, in order of each profile's first record; records keep their order. */
export function groupRecords(records: readonly AuditRecord[], sel: RecordSelector): RecordGroup[] {
  const groups = new Map<string, { exes: Set<string>; records: AuditRecord[] }>();
  for (const r of selectRecords(records, sel)) {
    const profile = sel.name ?? profileNameOf(r);
    let g = groups.get(profile);
    if (!g) {
      g = { exes: new Set(), records: [] };
      groups.set(profile, g);
    }
    g.records.push(r);
    g.exes.add(r.exe ?? r.comm ?? '?');
  }
  return [...groups].map(([profile, g]) => ({ profile, exes: [...g.exes].sort(), records: g.records }));
}

/** Distinct syscalls of some records per arch, sorted by name: what a report shows. */
export function syscallsByArch(records: readonly AuditRecord[]): Partial<Record<Arch, string[]>> {
  const sets = new Map<Arch, Set<string>>();
  for (const r of records) {
    if (r.arch === null || r.name === null) continue;
    const set = sets.get(r.arch) ?? new Set<string>();
    set.add(r.name);
    sets.set(r.arch, set);
  }
  const out: Partial<Record<Arch, string[]>> = {};
  for (const [arch, set] of [...sets].sort(([a], [b]) => a.localeCompare(b))) out[arch] = [...set].sort();
  return out;
}

/** Earliest and latest stamp, in epoch milliseconds. */
export function timeSpan(records: readonly AuditRecord[]): { first: number; last: number } | null {
  if (records.length === 0) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    const ms = stampMs(r.stamp);
    if (ms < first) first = ms;
    if (ms > last) last = ms;
  }
  return { first, last };
}
