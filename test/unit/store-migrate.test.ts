// Migration 3 (runs.exe, runs.uid): an older store's audit runs whose records all share one executable and uid
// get them; a run of mixed records, or a trace run, stays unknown (from-audit then asks for --merge).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openStore } from '../../src/store/open.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';

const t = suite('store/migrate');

t('a version-2 store gains runs.exe and runs.uid, filled in where the audit records agree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'learn-migrate-'));
  const path = join(dir, 'old.db');
  const old = new Database(path);
  for (const sql of MIGRATIONS.slice(0, 2)) old.exec(sql);
  old.pragma('user_version = 2');
  old.exec(`INSERT INTO profiles(id, name) VALUES (1, 'nginx');
    INSERT INTO runs(id, profile_id, command, cwd, source, started_at, status) VALUES
      (1, 1, '[]', '/', 'audit', 'x', 'complete'), (2, 1, '[]', '/', 'audit', 'x', 'complete'), (3, 1, '[]', '/', 'strace', 'x', 'complete');
    INSERT INTO audit_records(stamp, serial, pid, run_id, arch, nr, name, action, uid, exe) VALUES
      (1, 1, 1, 1, 'x86_64', 39, 'getpid', 'log', 0, '/usr/sbin/nginx'), (1, 2, 1, 1, 'x86_64', 39, 'getpid', 'log', 0, '/usr/sbin/nginx'),
      (1, 3, 2, 2, 'x86_64', 39, 'getpid', 'log', 0, '/usr/sbin/nginx'), (1, 4, 3, 2, 'x86_64', 39, 'getpid', 'log', 1000, '/home/eve/nginx');`);
  old.close();
  try {
    const store = openStore(path);
    const rows = store.db.prepare('SELECT id, exe, uid FROM runs ORDER BY id').all();
    assert.is(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    store.close();
    assert.equal(rows, [{ id: 1, exe: '/usr/sbin/nginx', uid: 0 }, { id: 2, exe: null, uid: null }, { id: 3, exe: null, uid: null }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
