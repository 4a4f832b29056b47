import type { Database } from 'better-sqlite3';
import { StoreError } from '../errors.js';

/**
 * Forward-only migrations. Entry i brings the schema from version i to i + 1 (PRAGMA user_version).
 * To change the schema, append one SQL string; never edit or reorder an entry that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: profiles, runs, aggregated observations, processes, optional raw events.
  `
  CREATE TABLE profiles (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  CREATE TABLE runs (
    id           INTEGER PRIMARY KEY,
    profile_id   INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    command      TEXT NOT NULL,              -- JSON array (argv, or the ingested files)
    cwd          TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('strace', 'strace-file', 'audit')),
    started_at   TEXT NOT NULL,              -- ISO 8601
    ended_at     TEXT,
    exit_code    INTEGER,
    signal       TEXT,
    status       TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete')),
    events       INTEGER NOT NULL DEFAULT 0,
    parse_errors INTEGER NOT NULL DEFAULT 0,
    -- who is writing a 'running' run: pid plus its start time (guards against pid reuse)
    owner_pid    INTEGER,
    owner_start  TEXT
  );
  CREATE INDEX runs_profile ON runs(profile_id);
  CREATE TABLE observations (
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    arch       TEXT NOT NULL,
    nr         INTEGER NOT NULL,
    name       TEXT NOT NULL,
    shape      TEXT NOT NULL,                -- shapeKey() of the sensitive argument values; '' when none
    count      INTEGER NOT NULL,
    first_raw  TEXT NOT NULL,                -- top-level argument text of the first occurrence
    first_line INTEGER NOT NULL,
    UNIQUE (run_id, arch, nr, name, shape) -- name too: nr is -1 for names strace knew but we do not
  );
  CREATE TABLE processes (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    pid     INTEGER NOT NULL,
    ppid    INTEGER,
    exe     TEXT,
    thread  INTEGER NOT NULL DEFAULT 0,      -- 1 when created with CLONE_THREAD
    PRIMARY KEY (run_id, pid)
  );
  CREATE TABLE events (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    pid    INTEGER NOT NULL,
    arch   TEXT NOT NULL,
    nr     INTEGER NOT NULL,
    name   TEXT NOT NULL,
    args   TEXT NOT NULL,                    -- JSON array of top-level argument texts
    ret    TEXT,
    PRIMARY KEY (run_id, seq)
  );
  `,
  // 2: SECCOMP audit records already imported (learn from-audit), so importing them again adds nothing.
  // The key is the record's identity: audit(SECONDS.MS:SERIAL) stamp plus pid; `source` is the run source.
  `
  CREATE TABLE audit_records (
    source  TEXT NOT NULL DEFAULT 'audit',
    stamp   INTEGER NOT NULL,                -- audit(…) stamp in epoch milliseconds
    serial  INTEGER NOT NULL,
    pid     INTEGER NOT NULL,
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    arch    TEXT NOT NULL,
    nr      INTEGER NOT NULL,
    name    TEXT NOT NULL,
    action  TEXT NOT NULL,
    uid     INTEGER,
    comm    TEXT,
    exe     TEXT,
    UNIQUE (source, stamp, serial, pid)
  );
  CREATE INDEX audit_records_run ON audit_records(run_id);
  `,
  // 3: who a run's calls came from: the executable's absolute path and the real uid (NULL: not known). from-audit
  // keeps records of another executable or user out of a profile unless told to merge them. Audit runs of
  // older stores whose records all share one exe and uid get them.
  `
  ALTER TABLE runs ADD COLUMN exe TEXT;
  ALTER TABLE runs ADD COLUMN uid INTEGER;
  UPDATE runs SET
    exe = (SELECT min(a.exe) FROM audit_records a WHERE a.run_id = runs.id),
    uid = (SELECT min(a.uid) FROM audit_records a WHERE a.run_id = runs.id)
  WHERE source = 'audit' AND (
    SELECT count(DISTINCT a.exe) = 1 AND count(DISTINCT a.uid) = 1 AND count(a.exe) = count(*) AND count(a.uid) = count(*)
    FROM audit_records a WHERE a.run_id = runs.id);
  `,
  // 4: a traced container runtime splits a run's calls into phases (trace/container-split.ts): the runtime's
  // setup ('host'), its init after loading the container's filter ('runtime'), and the container itself.
  // The phase is part of an observation's key, so the table is rebuilt; earlier rows are all 'host'.
  `
  ALTER TABLE runs ADD COLUMN container_runtime TEXT;   -- 'runc', 'crun'; NULL when no runtime ran
  ALTER TABLE runs ADD COLUMN container_split TEXT CHECK (container_split IN ('filter', 'execve'));
  CREATE TABLE observations_v4 (
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    phase      TEXT NOT NULL DEFAULT 'host' CHECK (phase IN ('host', 'runtime', 'container')),
    arch       TEXT NOT NULL,
    nr         INTEGER NOT NULL,
    name       TEXT NOT NULL,
    shape      TEXT NOT NULL,
    count      INTEGER NOT NULL,
    first_raw  TEXT NOT NULL,
    first_line INTEGER NOT NULL,
    UNIQUE (run_id, phase, arch, nr, name, shape)
  );
  INSERT INTO observations_v4(run_id, phase, arch, nr, name, shape, count, first_raw, first_line)
    SELECT run_id, 'host', arch, nr, name, shape, count, first_raw, first_line FROM observations;
  DROP TABLE observations;
  ALTER TABLE observations_v4 RENAME TO observations;
  `,
  // 5: which recorder made a live run ('strace' source): strace or the eBPF helper; NULL for imports.
  `
  ALTER TABLE runs ADD COLUMN recorder TEXT CHECK (recorder IN ('strace', 'ebpf'));
  UPDATE runs SET recorder = 'strace' WHERE source = 'strace';
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` to SCHEMA_VERSION. Refuses a database from a newer learn. The version is read again inside one
 * IMMEDIATE transaction that holds the write lock for every migration: several learns opening a new store at
 * once wait for the first (busy_timeout) and then find the schema in place, instead of each creating it.
 */
export function migrate(db: Database, path: string): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  const check = (current: number): boolean => {
    if (current > SCHEMA_VERSION) {
      throw new StoreError(`${path}: schema version ${current} is newer than this learn understands (${SCHEMA_VERSION})`, {
        hint: 'upgrade seccomp-learn, or point --db at another file',
      });
    }
    return current < SCHEMA_VERSION;
  };
  if (!check(version())) return;
  db.transaction(() => {
    const current = version();
    if (!check(current)) return;
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
