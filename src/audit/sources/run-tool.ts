// Runs a system tool (journalctl, dmesg) and scans its stdout as it streams, so a large journal is never
// held in memory as one string.
import { execa } from 'execa';
import { EnvironmentError } from '../../errors.js';
import { scanAuditStream, type ScanVisitor } from '../scan.js';

export interface ToolRun {
  readonly exitCode: number;
  /** First line of stderr, for error messages. */
  readonly stderr: string;
}

export async function scanToolOutput(file: string, args: readonly string[], visit: ScanVisitor): Promise<ToolRun> {
  const sub = execa(file, args, {
    reject: false,
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
    env: { LC_ALL: 'C', SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' },
  });
  if (!sub.stdout) throw new EnvironmentError(`${file}: no output stream`);
  const scanned = scanAuditStream(sub.stdout, visit);
  const result = await sub;
  await scanned;
  if (result.failed && result.exitCode === undefined) {
    const why = String(result.originalMessage ?? result.shortMessage ?? '').split('\n')[0] ?? '';
    throw new EnvironmentError(`cannot run ${file}: ${why}`, { hint: `is ${file} installed and on PATH?` });
  }
  return { exitCode: result.exitCode ?? 1, stderr: String(result.stderr ?? '').split('\n')[0] ?? '' };
}
