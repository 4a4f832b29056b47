// Shared by the audit tests: fixture paths, and running text or files through the scanner and collector.
import { accessSync, constants, createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCollector, type Collection, type TimeWindow } from '../../src/audit/collect.js';
import { scanAuditStream } from '../../src/audit/scan.js';

export function auditFixture(name: string): string {
  return fileURLToPath(new URL(`../../../fixtures/audit/${name}`, import.meta.url));
}

export function readAuditFixture(name: string): string {
  return readFileSync(auditFixture(name), 'utf8');
}

async function* once(data: string | Buffer): AsyncGenerator<Buffer | string> {
  yield data;
}

export async function collectText(text: string | Buffer, window: TimeWindow = {}): Promise<Collection> {
  return collectStream(once(text), window);
}

export async function collectFixture(name: string, window: TimeWindow = {}): Promise<Collection> {
  return collectStream(createReadStream(auditFixture(name)), window);
}

async function collectStream(chunks: AsyncIterable<Buffer | string>, window: TimeWindow): Promise<Collection> {
  const c = createCollector(window);
  await scanAuditStream(chunks, (item, line) => c.add(item, () => `test:${line}`));
  return c.finish();
}

/** `arch:name:action` → count, for exact comparisons. */
export function tally(c: Collection): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of c.records) {
    const key = `${r.arch}:${r.name}:${r.action}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** journald's kernel-transport copy of a kmsg line, as `journalctl -o json` prints it. */
export function kernelJsonEntry(kmsgLine: string): string {
  const semi = kmsgLine.indexOf(';');
  const usec = kmsgLine.split(',')[2] ?? '0';
  return JSON.stringify({
    _TRANSPORT: 'kernel',
    PRIORITY: '5',
    SYSLOG_FACILITY: '0',
    SYSLOG_IDENTIFIER: 'kernel',
    _SOURCE_MONOTONIC_TIMESTAMP: usec,
    MESSAGE: kmsgLine.slice(semi + 1),
  });
}

/** Why the kernel's SECCOMP records cannot be read back from /dev/kmsg here, or null when they can. */
export function kmsgSkipReason(): string | null {
  if (process.arch !== 'x64') return 'not x86_64';
  try {
    accessSync('/dev/kmsg', constants.R_OK);
  } catch {
    return '/dev/kmsg not readable';
  }
  const logged = readFileSync('/proc/sys/kernel/seccomp/actions_logged', 'utf8').split(/\s+/);
  if (!logged.includes('log')) return 'kernel.seccomp.actions_logged lacks log';
  return null;
}
