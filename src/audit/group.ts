// Records → profiles. Default: one profile per executable, named after its basename (so `learn -- nginx` and
// nginx's audit records meet in the same profile); `--name` puts everything selected into one profile. Records
// are grouped by full executable path and uid, and only join a profile learned from the same ones (admitGroups).
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

/** Who made a group's calls: the executable's absolute path and the real uid (null: the record did not say). */
export interface Identity {
  readonly exe: string | null;
  readonly uid: number | null;
}

export interface RecordGroup {
  readonly profile: string;
  readonly identity: Identity;
  /** What the report shows for the group: its exe, or its comm when the records carry no exe. */
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

/**
 * Groups selected records by profile and identity (full exe path and uid), in order of each group's first
 * record; records keep their order. Two programs with one basename are two groups: admitGroups decides.
 */
export function groupRecords(records: readonly AuditRecord[], sel: RecordSelector): RecordGroup[] {
  const groups = new Map<string, { profile: string; identity: Identity; shown: string; records: AuditRecord[] }>();
  for (const r of selectRecords(records, sel)) {
    const profile = sel.name ?? profileNameOf(r);
    const identity: Identity = { exe: r.exe !== null && r.exe !== '' ? r.exe : null, uid: r.uid };
    const shown = identity.exe ?? r.comm ?? '?';
    const key = JSON.stringify([profile, identity.exe, identity.exe === null ? shown : null, identity.uid]);
    let g = groups.get(key);
    if (!g) {
      g = { profile, identity, shown, records: [] };
      groups.set(key, g);
    }
    g.records.push(r);
  }
  return [...groups.values()].map((g) => ({ profile: g.profile, identity: g.identity, exes: [g.shown], records: g.records }));
}

function known(i: Identity): i is { exe: string; uid: number } {
  return i.exe !== null && i.uid !== null;
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  return known(a) && known(b) && a.exe === b.exe && a.uid === b.uid;
}

export function describeIdentity(i: Identity): string {
  return `${i.exe ?? 'an unknown executable'} (${i.uid === null ? 'unknown uid' : `uid ${i.uid}`})`;
}

export interface Refusal {
  readonly group: RecordGroup;
  readonly reason: string;
}

export interface AdmitOptions {
  /** --merge: add records to a profile whatever executable or user they come from. */
  readonly merge: boolean;
  /** --name was given: the user chose to put every selected program into one new profile. */
  readonly named: boolean;
}

/**
 * Which groups may join their profile. A profile holds the calls of the executables and users it was learned
 * from: records of another one (an unprivileged user's binary that happens to be called nginx) would widen the
 * policy of the real one. A group joins when its identity is already in the profile, or the profile is new and
 * the group is alone in it (or --name chose to put several there); --merge admits everything.
 */
export function admitGroups(groups: readonly RecordGroup[], existing: (profile: string) => readonly Identity[], o: AdmitOptions):
  { admitted: RecordGroup[]; refused: Refusal[] } {
  const admitted: RecordGroup[] = [];
  const refused: Refusal[] = [];
  for (const g of groups) {
    const held = existing(g.profile);
    const rivals = groups.filter((other) => other.profile === g.profile && !sameIdentity(other.identity, g.identity) && other !== g);
    let reason: string | null = null;
    if (o.merge || (known(g.identity) && held.some((i) => sameIdentity(i, g.identity)))) reason = null;
    else if (held.length > 0) reason = `profile '${g.profile}' was learned from ${describeIdentity(held[0] as Identity)}${held.length > 1 ? ` and ${held.length - 1} more` : ''}`;
    else if (!known(g.identity) && !o.named) reason = 'the records do not say which executable and user made the calls';
    else if (rivals.length > 0 && !o.named) reason = `records of ${describeIdentity((rivals[0] as RecordGroup).identity)} would go into the same profile '${g.profile}'`;
    if (reason === null) admitted.push(g);
    else refused.push({ group: g, reason });
  }
  return { admitted, refused };
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
