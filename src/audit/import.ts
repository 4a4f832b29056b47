// The store edge of `learn from-audit`: each profile's records that are not in audit_records yet become one run
// (source 'audit') with observations of shape '' (audit records carry no arguments). All profiles are written in
// one transaction, so an import is applied whole or not at all, and importing the same records again adds nothing.
import type { Arch } from '../abi/arch.js';
import type { Store } from '../store/open.js';
import { beginRun } from '../store/writer.js';
import type { IngestBatch, ObservationRow, ProcessRow } from '../trace/ingest.js';
import { NO_SPLIT } from '../trace/container-split.js';
import { syscallsByArch, timeSpan, type Identity, type RecordGroup } from './group.js';
import { stampMs, type AuditRecord } from './record.js';

const RUN_SOURCE = 'audit';

export interface ProfileImport {
  readonly profile: string;
  readonly exes: readonly string[];
  /** Who made the calls: the executable's path and uid (null when the records did not say). */
  readonly exe: string | null;
  readonly uid: number | null;
  /** Records not imported before (what this import adds, or would add with --dry-run). */
  readonly newRecords: number;
  readonly alreadyImported: number;
  /** Distinct syscalls among the new records, per arch. */
  readonly syscalls: Partial<Record<Arch, string[]>>;
  /** The run written; null with --dry-run or when nothing was new. */
  readonly runId: number | null;
}

/** Splits each group into new and already-imported records. `store` null: nothing imported yet. */
function splitNew(store: Store | null, group: RecordGroup): AuditRecord[] {
  if (store === null || !hasAuditTable(store)) return [...group.records];
  const seen = store.db.prepare(`SELECT 1 FROM audit_records WHERE source = ? AND stamp = ? AND serial = ? AND pid = ?`);
  return group.records.filter((r) => seen.get(RUN_SOURCE, stampMs(r.stamp), r.stamp.serial, r.pid) === undefined);
}

function hasAuditTable(store: Store): boolean {
  return store.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_records'`).get() !== undefined;
}

/** The identities of the runs a profile already has (none for a new profile or no store). */
export function profileIdentities(store: Store | null, profile: string): Identity[] {
  if (store === null) return [];
  return store.db.prepare(`SELECT DISTINCT r.exe, r.uid FROM runs r JOIN profiles p ON p.id = r.profile_id WHERE p.name = ?`)
    .all(profile) as Identity[];
}

/** What an import would add, without writing. */
export function planAuditImport(store: Store | null, groups: readonly RecordGroup[]): ProfileImport[] {
  return groups.map((g) => summarize(g, splitNew(store, g), null));
}

/** Writes every group's new records; returns the same summary as the plan, with run ids. */
export function importAudit(store: Store, groups: readonly RecordGroup[], cwd: string): ProfileImport[] {
  const insertRecord = store.db.prepare(`
    INSERT INTO audit_records(source, stamp, serial, pid, run_id, arch, nr, name, action, uid, comm, exe)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
  return store.db.transaction(() =>
    groups.map((g) => {
      const fresh = splitNew(store, g);
      const span = timeSpan(fresh);
      if (span === null) return summarize(g, fresh, null);
      const writer = beginRun(store, {
        profile: g.profile,
        command: g.exes,
        cwd,
        source: RUN_SOURCE,
        startedAt: new Date(span.first),
        exe: g.identity.exe,
        uid: g.identity.uid,
      });
      const counts = { events: fresh.length, parseErrors: 0 };
      writer.write(toBatch(fresh), counts);
      for (const r of fresh) {
        insertRecord.run(RUN_SOURCE, stampMs(r.stamp), r.stamp.serial, r.pid, writer.runId, r.arch, r.nr, r.name, r.action, r.uid, r.comm, r.exe);
      }
      writer.finish({ status: 'complete', endedAt: new Date(span.last), exitCode: null, signal: null }, counts);
      return summarize(g, fresh, writer.runId);
    }),
  )();
}

function summarize(g: RecordGroup, fresh: readonly AuditRecord[], runId: number | null): ProfileImport {
  return {
    profile: g.profile,
    exes: g.exes,
    exe: g.identity.exe,
    uid: g.identity.uid,
    newRecords: fresh.length,
    alreadyImported: g.records.length - fresh.length,
    syscalls: syscallsByArch(fresh),
    runId,
  };
}

/** Observations per arch × syscall (shape '': no arguments in audit records) and one process row per pid. */
export function toBatch(records: readonly AuditRecord[]): IngestBatch {
  const obs = new Map<string, { row: Omit<ObservationRow, 'count'>; count: number }>();
  const procs = new Map<number, ProcessRow>();
  records.forEach((r, i) => {
    if (r.arch === null || r.name === null) return; // the collector never lets these through
    const key = `${r.arch}:${r.nr}`;
    const o = obs.get(key);
    if (o) o.count += 1;
    else obs.set(key, { row: { phase: 'host', arch: r.arch, nr: r.nr, name: r.name, shape: '', firstRaw: '', firstLine: i + 1 }, count: 1 });
    if (!procs.has(r.pid)) procs.set(r.pid, { pid: r.pid, ppid: null, exe: r.exe, thread: false });
  });
  return {
    observations: [...obs.values()].map((o) => ({ ...o.row, count: o.count })),
    processes: [...procs.values()],
    events: [],
    split: NO_SPLIT,
  };
}
