import type { Database } from 'better-sqlite3';
import type { Phase, RuntimeName, SplitKind } from '../trace/container-split.js';
import type { ShapeCount } from '../trace/shape-count.js';
import type { RunRecorder, RunSource, RunStatus } from './writer.js';

export interface ProfileRow {
  readonly id: number;
  readonly name: string;
  readonly runs: number;
  readonly events: number;
  /** ISO time of the latest run's start, or null when the profile has no runs. */
  readonly lastRun: string | null;
}

export interface RunRow {
  readonly id: number;
  readonly profile: string;
  readonly command: readonly string[];
  readonly cwd: string;
  readonly source: RunSource;
  /** Which recorder made a live run; null for imports. */
  readonly recorder: RunRecorder | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly status: RunStatus;
  readonly events: number;
  readonly parseErrors: number;
  /** Distinct (arch, nr) pairs observed. */
  readonly syscalls: number;
  /** The container runtime the trace ran, and how its container's calls were told apart; null for other runs. */
  readonly containerRuntime: RuntimeName | null;
  readonly containerSplit: SplitKind | null;
  /** Who made the calls (absolute executable path, real uid); null when not known. */
  readonly exe: string | null;
  readonly uid: number | null;
}

/**
 * Which calls a query reads: 'learned' is what a policy is learned from — a container run's container
 * phase, every call of other runs; or one phase of every run.
 */
export type ObservationPart = 'learned' | Phase;

const PART_SQL = `(@part = 'learned' AND (r.container_split IS NULL OR o.phase = 'container') OR o.phase = @part)`;

export interface ObservationSummary extends ShapeCount {
  readonly firstRaw: string;
  /** Runs that saw it, ascending. */
  readonly runIds: readonly number[];
}

export interface ProcessSummary {
  readonly runId: number;
  readonly pid: number;
  readonly ppid: number | null;
  readonly exe: string | null;
  readonly thread: boolean;
}

export function findProfile(db: Database, name: string): { id: number; name: string } | undefined {
  return db.prepare(`SELECT id, name FROM profiles WHERE name = ?`).get(name) as { id: number; name: string } | undefined;
}

export function listProfiles(db: Database): ProfileRow[] {
  return db.prepare(`
    SELECT p.id, p.name, count(r.id) AS runs, coalesce(sum(r.events), 0) AS events, max(r.started_at) AS lastRun
    FROM profiles p LEFT JOIN runs r ON r.profile_id = p.id
    GROUP BY p.id ORDER BY p.name`).all() as ProfileRow[];
}

interface RawRun extends Omit<RunRow, 'command'> {
  readonly command: string;
}

const RUN_SELECT = `
  SELECT r.id, p.name AS profile, r.command, r.cwd, r.source, r.recorder, r.started_at AS startedAt, r.ended_at AS endedAt,
    r.exit_code AS exitCode, r.signal, r.status, r.events, r.parse_errors AS parseErrors, r.exe, r.uid,
    r.container_runtime AS containerRuntime, r.container_split AS containerSplit,
    (SELECT count(*) FROM (SELECT DISTINCT arch, nr FROM observations o WHERE o.run_id = r.id)) AS syscalls
  FROM runs r JOIN profiles p ON p.id = r.profile_id`;

function toRun(row: RawRun): RunRow {
  return { ...row, command: JSON.parse(row.command) as string[] };
}

/** Runs (of one profile, or all), by profile name then id. */
export function listRuns(db: Database, profile?: string): RunRow[] {
  const rows = db.prepare(`${RUN_SELECT} WHERE (@profile IS NULL OR p.name = @profile) ORDER BY p.name, r.id`)
    .all({ profile: profile ?? null }) as RawRun[];
  return rows.map(toRun);
}

export function getRun(db: Database, runId: number): RunRow | undefined {
  const row = db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(runId) as RawRun | undefined;
  return row === undefined ? undefined : toRun(row);
}

const OBS_COLUMNS = `o.arch, o.nr, o.name, o.shape`;

/** The union of every run of the profile: one row per (arch, nr, name, shape), counts summed. */
export function profileObservations(db: Database, profileName: string, part: ObservationPart = 'learned'): ObservationSummary[] {
  const rows = db.prepare(`
    SELECT ${OBS_COLUMNS}, sum(o.count) AS count,
      (SELECT o2.first_raw FROM observations o2 JOIN runs r2 ON r2.id = o2.run_id
        WHERE r2.profile_id = p.id AND o2.arch = o.arch AND o2.nr = o.nr AND o2.name = o.name AND o2.shape = o.shape
        ORDER BY o2.run_id LIMIT 1) AS firstRaw,
      group_concat(o.run_id) AS runIds
    FROM observations o JOIN runs r ON r.id = o.run_id JOIN profiles p ON p.id = r.profile_id
    WHERE p.name = @profile AND ${PART_SQL}
    GROUP BY o.arch, o.nr, o.name, o.shape
    ORDER BY o.arch, o.name, o.nr, o.shape`).all({ profile: profileName, part }) as (Omit<ObservationSummary, 'runIds'> & { runIds: string })[];
  return rows.map((r) => ({ ...r, runIds: r.runIds.split(',').map(Number).sort((a, b) => a - b) }));
}

export function runObservations(db: Database, runId: number, part: ObservationPart = 'learned'): ObservationSummary[] {
  const rows = db.prepare(`
    SELECT ${OBS_COLUMNS}, sum(o.count) AS count, min(o.first_raw) AS firstRaw
    FROM observations o JOIN runs r ON r.id = o.run_id WHERE o.run_id = @runId AND ${PART_SQL}
    GROUP BY o.arch, o.nr, o.name, o.shape
    ORDER BY o.arch, o.name, o.nr, o.shape`).all({ runId, part }) as Omit<ObservationSummary, 'runIds'>[];
  return rows.map((r) => ({ ...r, runIds: [runId] }));
}

export function profileProcesses(db: Database, profileName: string): ProcessSummary[] {
  const rows = db.prepare(`
    SELECT pr.run_id AS runId, pr.pid, pr.ppid, pr.exe, pr.thread
    FROM processes pr JOIN runs r ON r.id = pr.run_id JOIN profiles p ON p.id = r.profile_id
    WHERE p.name = ? ORDER BY pr.run_id, pr.pid`).all(profileName) as (Omit<ProcessSummary, 'thread'> & { thread: number })[];
  return rows.map((r) => ({ ...r, thread: r.thread === 1 }));
}
