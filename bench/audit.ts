// Benchmark: SECCOMP audit records parsed per second (container unwrap + body parse + dedupe + window), from
// files of ≥ 100,000 records built out of the real records in fixtures/audit, in three containers.
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCollector } from '../src/audit/collect.js';
import { scanAuditStream } from '../src/audit/scan.js';

const RECORDS = 120_000;
const FIXTURES = fileURLToPath(new URL('../../fixtures/audit/', import.meta.url));

/** The fixture's SECCOMP lines, repeated with fresh stamps and serials so no record is a duplicate. */
function replicate(file: string, pick: (line: string) => boolean, n: number): string {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n').filter(pick);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const line = lines[i % lines.length] ?? '';
    const seconds = 1795420000 + Math.floor(i / 1000);
    const ms = String(i % 1000).padStart(3, '0');
    out.push(
      line
        .replace(/audit\(\d+\.\d{3}:\d+\)/, `audit(${seconds}.${ms}:${i + 1})`)
        .replace(/"_AUDIT_ID":"\d+"/, `"_AUDIT_ID":"${i + 1}"`)
        .replace(/"_SOURCE_REALTIME_TIMESTAMP":"\d+"/, `"_SOURCE_REALTIME_TIMESTAMP":"${seconds}${ms}000"`),
    );
  }
  return `${out.join('\n')}\n`;
}

async function measure(path: string): Promise<{ records: number; seconds: number }> {
  const start = process.hrtime.bigint();
  const c = createCollector({ sinceMs: 0 });
  await scanAuditStream(createReadStream(path), (item, line) => c.add(item, () => `${path}:${line}`));
  const got = c.finish();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (got.records.length !== RECORDS || got.duplicates !== 0 || got.skipped.size !== 0) {
    throw new Error(`${path}: expected ${RECORDS} records, got ${got.records.length} (${got.duplicates} duplicates, ${got.skipped.size} skip reasons)`);
  }
  return { records: got.records.length, seconds };
}

export async function benchAudit(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'learn-bench-audit-'));
  const cases = [
    { name: '/dev/kmsg raw', file: 'kmsg.raw.txt', pick: (l: string) => l.includes('type=1326') },
    { name: 'audit.log (enriched)', file: 'auditd.audit.log.enriched.txt', pick: (l: string) => l.startsWith('type=SECCOMP') },
    { name: 'journalctl -o json', file: 'journald_real.transport_audit.json', pick: (l: string) => l.startsWith('{') },
  ];
  const rows: string[] = [];
  try {
    for (const c of cases) {
      const path = join(dir, c.file);
      writeFileSync(path, replicate(c.file, c.pick, RECORDS));
      await measure(path); // warm-up: JIT and page cache
      let best = Infinity;
      for (let i = 0; i < 3; i++) best = Math.min(best, (await measure(path)).seconds);
      const mb = statSync(path).size / 1e6;
      rows.push(`| ${c.name} | ${RECORDS.toLocaleString('en-US')} | ${mb.toFixed(1)} MB | ${(best * 1000).toFixed(0)} ms | ${Math.round(RECORDS / best).toLocaleString('en-US')} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    '## Audit records (`learn from-audit`)',
    '',
    `Records parsed per second from a ${RECORDS.toLocaleString('en-US')}-record file (container unwrap, body parse,`,
    'per-arch name lookup, stamp dedupe and time window; best of 3 after a warm-up). Records are the real ones',
    'in fixtures/audit, repeated with fresh stamps and serials.',
    '',
    '| container | records | size | time | records/s |',
    '|---|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}
