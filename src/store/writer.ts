import { StoreError } from '../errors.js';
import type { IngestBatch } from '../trace/ingest.js';
import { ownerIdentity } from '../os/process-identity.js';
import type { Store } from './open.js';
import { checkProfileName } from './profile-name.js';

export type RunSource = 'strace' | 'strace-file' | 'audit';
/** Which recorder made a live run (source 'strace': recorded by learn as the program ran). */
export type RunRecorder = 'strace' | 'ebpf';
export type RunStatus = 'running' | 'complete' | 'incomplete';

export interface RunStart {
  readonly profile: string;
  /** argv of the traced command, or the ingested files. */
  readonly command: readonly string[];
  readonly cwd: string;
  readonly source: RunSource;
  /** For a live run: strace (the default) or ebpf. */
  readonly recorder?: RunRecorder;
  readonly startedAt: Date;
  /** Who made the calls: the executable's absolute path and real uid, when known. */
  readonly exe?: string | null;
  readonly uid?: number | null;
}

export interface RunEnd {
  readonly status: Exclude<RunStatus, 'running'>;
  readonly endedAt: Date;
  readonly exitCode: number | null;
  readonly signal: string | null;
}

/** Running totals written with every batch, so a run cut short still has counts matching its rows. */
export interface RunCounts {
  readonly events: number;
  readonly parseErrors: number;
}

export interface RunWriter {
  readonly runId: number;
  readonly profileId: number;
  /** Commits one batch (one transaction). */
  write(batch: IngestBatch, counts: RunCounts): void;
  finish(end: RunEnd, counts: RunCounts): void;
  /** Removes the run and everything it wrote (an ingest that found nothing). */
  discard(): void;
}

/** Creates the profile if new and a run in status 'running' owned by this process. */
export function beginRun(store: Store, start: RunStart): RunWriter {
  const { db } = store;
  checkProfileName(start.profile);
  return guard(store, () => {
    const owner = ownerIdentity();
    const ids = db.transaction(() => {
      db.prepare(`INSERT INTO profiles(name) VALUES (?) ON CONFLICT(name) DO NOTHING`).run(start.profile);
      const profile = db.prepare(`SELECT id FROM profiles WHERE name = ?`).get(start.profile) as { id: number };
      const run = db.prepare(`
        INSERT INTO runs(profile_id, command, cwd, source, recorder, started_at, status, owner_pid, owner_start, exe, uid)
        VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`)
        .run(profile.id, JSON.stringify(start.command), start.cwd, start.source, start.recorder ?? (start.source === 'strace' ? 'strace' : null),
          start.startedAt.toISOString(), owner.pid, owner.start, start.exe ?? null, start.uid ?? null);
      return { profileId: profile.id, runId: Number(run.lastInsertRowid) };
    })();
    return makeWriter(store, ids.runId, ids.profileId);
  });
}

function makeWriter(store: Store, runId: number, profileId: number): RunWriter {
  const { db } = store;
  const upsertObs = db.prepare(`
    INSERT INTO observations(run_id, phase, arch, nr, name, shape, count, first_raw, first_line)
    VALUES (@runId, @phase, @arch, @nr, @name, @shape, @count, @firstRaw, @firstLine)
    ON CONFLICT(run_id, phase, arch, nr, name, shape) DO UPDATE SET count = count + excluded.count`);
  const upsertProc = db.prepare(`
    INSERT INTO processes(run_id, pid, ppid, exe, thread) VALUES (@runId, @pid, @ppid, @exe, @thread)
    ON CONFLICT(run_id, pid) DO UPDATE SET
      ppid = coalesce(excluded.ppid, ppid), exe = coalesce(excluded.exe, exe), thread = excluded.thread`);
  const insertEvent = db.prepare(`
    INSERT INTO events(run_id, seq, pid, arch, nr, name, args, ret) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const setCounts = db.prepare(`UPDATE runs SET events = ?, parse_errors = ?, container_runtime = ?, container_split = ? WHERE id = ?`);
  const finishRun = db.prepare(`
    UPDATE runs SET status = ?, ended_at = ?, exit_code = ?, signal = ?, events = ?, parse_errors = ?,
      owner_pid = NULL, owner_start = NULL
    WHERE id = ?`);

  const writeBatch = db.transaction((batch: IngestBatch, counts: RunCounts) => {
    for (const o of batch.observations) upsertObs.run({ runId, ...o });
    for (const p of batch.processes) upsertProc.run({ runId, pid: p.pid, ppid: p.ppid, exe: p.exe, thread: p.thread ? 1 : 0 });
    for (const e of batch.events) insertEvent.run(runId, e.seq, e.pid, e.arch, e.nr, e.name, e.args, e.ret);
    setCounts.run(counts.events, counts.parseErrors, batch.split.runtime, batch.split.split, runId);
  });

  return {
    runId,
    profileId,
    write: (batch, counts) => guard(store, () => writeBatch(batch, counts)),
    finish: (end, counts) =>
      guard(store, () => {
        finishRun.run(end.status, end.endedAt.toISOString(), end.exitCode, end.signal, counts.events, counts.parseErrors, runId);
      }),
    discard: () =>
      guard(store, () => {
        db.transaction(() => {
          db.prepare(`DELETE FROM runs WHERE id = ?`).run(runId);
          // A profile that only this run created goes with it.
          db.prepare(`DELETE FROM profiles WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE profile_id = ?)`).run(profileId, profileId);
        })();
      }),
  };
}

/** SQLite failures while writing (disk full, read-only) become one-line StoreErrors. */
function guard<T>(store: Store, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreError(`${store.path}: write failed: ${message}`, { cause: error });
  }
}

