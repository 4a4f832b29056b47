// Source `journal`: `journalctl -o json` limited to SECCOMP records — the audit-transport entries
// (_AUDIT_TYPE=1326) and the kernel-transport copies journald also stores when no auditd runs (GRAMMAR B.5).
import { EnvironmentError, UsageError } from '../../errors.js';
import { AUDIT_SECCOMP } from '../record.js';
import type { TimeWindow } from '../collect.js';
import type { ScanVisitor } from '../scan.js';
import { scanToolOutput } from './run-tool.js';

export interface JournalOptions {
  readonly window: TimeWindow;
  readonly directory?: string | undefined;
  readonly files?: readonly string[] | undefined;
  readonly machine?: string | undefined;
  /** The journalctl binary (tests point it elsewhere). */
  readonly journalctl?: string | undefined;
}

const FIELDS = ['MESSAGE', '_TRANSPORT', '_AUDIT_TYPE', '_AUDIT_ID', '_SOURCE_REALTIME_TIMESTAMP', '_BOOT_ID'];

/** journalctl's arguments. Times go as `@SECONDS` (accepted by every version; `1h` is not), widened to whole
 * seconds: the exact cut is made on the audit stamp, since --since bisects and misses out-of-order entries. */
export function journalctlArgs(opts: JournalOptions): string[] {
  const args = ['-o', 'json', '--no-pager', `--output-fields=${FIELDS.join(',')}`];
  if (opts.directory !== undefined) args.push(`--directory=${opts.directory}`);
  for (const f of opts.files ?? []) args.push(`--file=${f}`);
  if (opts.machine !== undefined) args.push(`--machine=${opts.machine}`);
  if (opts.window.sinceMs !== undefined) args.push(`--since=@${Math.floor(opts.window.sinceMs / 1000)}`);
  if (opts.window.untilMs !== undefined) args.push(`--until=@${Math.ceil(opts.window.untilMs / 1000)}`);
  args.push('_TRANSPORT=audit', `_AUDIT_TYPE=${AUDIT_SECCOMP}`, '+', '_TRANSPORT=kernel');
  return args;
}

/** Reads the journal; returns how many entries journalctl printed (0 lets `auto` fall back). */
export async function readJournal(opts: JournalOptions, visit: ScanVisitor): Promise<{ entries: number; description: string }> {
  let entries = 0;
  const args = journalctlArgs(opts);
  const tool = opts.journalctl ?? 'journalctl';
  const run = await scanToolOutput(tool, args, (item, line) => {
    entries += 1;
    visit(item, line);
  });
  if (run.exitCode !== 0 && entries === 0) {
    const why = run.stderr || `exit status ${run.exitCode}`;
    if (/parse/i.test(why)) throw new UsageError(`journalctl rejected its arguments: ${why}`);
    throw new EnvironmentError(`journalctl failed: ${why}`);
  }
  const where = opts.files?.length ? `--file ${opts.files.join(' ')}` : opts.directory !== undefined ? `--directory ${opts.directory}` : opts.machine !== undefined ? `--machine ${opts.machine}` : 'system journal';
  return { entries, description: `journal (${where}, journalctl -o json)` };
}
