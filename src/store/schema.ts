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
  // 3: which recorder made a live run ('strace' source): strace or the eBPF helper; NULL for imports.
  `
  ALTER TABLE runs ADD COLUMN recorder TEXT CHECK (recorder IN ('strace', 'ebpf'));
  UPDATE runs SET recorder = 'strace' WHERE source = 'strace';
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings `db` to SCHEMA_VERSION, one transaction per migration. Refuses a database from a newer learn. */
export function migrate(db: Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new StoreError(`${path}: schema version ${current} is newer than this learn understands (${SCHEMA_VERSION})`, {
      hint: 'upgrade seccomp-learn, or point --db at another file',
    });
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
