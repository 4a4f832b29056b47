// `learn from-audit [FILE…]`: read the kernel's SECCOMP audit records (journal, kmsg, auditd's log or files),
// and add them to profiles as runs with source 'audit'.
import type { Command } from 'commander';
import { admitGroups, groupRecords, selectRecords, type RecordSelector, type Refusal } from '../../audit/group.js';
import { importAudit, planAuditImport, profileIdentities, type ProfileImport } from '../../audit/import.js';
import { reportJson, reportText, reportWarnings } from '../../audit/report.js';
import { AUDIT_SOURCES, readAuditSource, type AuditSourceName } from '../../audit/sources/select.js';
import { parseTimeSpec } from '../../audit/time-spec.js';
import { ExitCode, UsageError } from '../../errors.js';
import { checkProfileName } from '../../store/profile-name.js';
import { openStore, storeExists, type Store } from '../../store/open.js';
import { resolveDbPath } from '../../store/path.js';
import type { Io } from '../io.js';
import { addPolicyOptions, policyOutputOptions, type PolicyFlags } from '../policy-options.js';
import { parseWholeNumber, type ActionResult } from '../program.js';
import { writePolicyOutputs } from '../write-policy.js';

interface FromAuditOptions extends PolicyFlags {
  readonly source: string;
  readonly since?: string;
  readonly until?: string;
  readonly journalDir?: string;
  readonly journalFile?: string[];
  readonly machine?: string;
  readonly auditLog?: string[];
  readonly name?: string;
  readonly exe?: string;
  readonly comm?: string;
  readonly uid?: number;
  readonly pid?: number;
  readonly db?: string;
  readonly dryRun?: boolean;
  readonly merge?: boolean;
  readonly json?: boolean;
  /** --no-policy: import only. */
  readonly policy: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerFromAudit(program: Command, io: Io, result: ActionResult): void {
  const command = program
    .command('from-audit')
    .description("learn from the kernel's SECCOMP audit records (journal, kmsg, auditd log or files)")
    .argument('[files...]', 'files holding audit records in any format (- for stdin); implies --source file')
    .option('--source <source>', `where to read: ${AUDIT_SOURCES.join(', ')}`, 'auto')
    .option('--since <time>', "records from this time on: 1h, 30m, 2d, '1 hour ago', today, @EPOCH, '2026-11-23 06:56'")
    .option('--until <time>', 'records up to this time (same forms)')
    .option('--journal-dir <dir>', 'read the journal files in DIR (journalctl --directory)')
    .option('--journal-file <file>', 'read this journal file (repeatable; journalctl --file)', collect)
    .option('--machine <name>', 'read the journal of this container (journalctl --machine)')
    .option('--audit-log <file>', 'read this auditd log and its rotations FILE.1 … instead of /var/log/audit/audit.log (repeatable)', collect)
    .option('--name <profile>', 'put all selected records into this one profile (default: one profile per executable)')
    .option('--exe <path>', 'only records of this executable')
    .option('--comm <name>', 'only records of processes with this command name')
    .option('--uid <uid>', 'only records of this user id', parseWholeNumber('--uid'))
    .option('--pid <pid>', 'only records of this process id', parseWholeNumber('--pid'))
    .option('--db <path>', 'the store (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--merge', 'add records to a profile even when they come from another executable or user than its runs')
    .option('--dry-run', 'print what would be imported, write nothing')
    .option('--json', 'print JSON')
    .option('--no-policy', 'only import the records; do not write the learned policy');
  addPolicyOptions(command)
    .addHelpText('after', `
After importing, each profile that got new records has its policy learned and written to --out (as
\`learn -- CMD\` does), and what changed against the policy already there is shown. learn exits 3 when the
kernel said it suppressed records (rate limit, backlog): the import is incomplete. Audit records carry no
arguments and no allowed call: a profile learned from them alone says so in its policy's header.

Examples:
  learn from-audit --since 1h                      # auto: journal, else auditd's log, else the kernel ring buffer
  learn from-audit --source kmsg --exe /usr/sbin/nginx --name nginx
  learn from-audit --source file audit.log.1 -     # files in any format, - for stdin

Records are grouped by full executable path and uid. They join a profile only when its runs came from the same
executable and uid (or the profile is new and they are alone in it, or --name put them there): records of
another program with the same name, or of another user, are listed as not imported unless --merge is given.
`)
    .action(async (files: string[], options: FromAuditOptions) => {
      result.exitCode = await runFromAudit(files, options, io);
    });
}

async function runFromAudit(files: string[], o: FromAuditOptions, io: Io): Promise<number> {
  const source = sourceOption(o.source, files);
  const now = Date.now();
  const policyOptions = policyOutputOptions(o, new Date(now));
  const window = {
    sinceMs: o.since === undefined ? undefined : parseTimeSpec(o.since, now, '--since'),
    untilMs: o.until === undefined ? undefined : parseTimeSpec(o.until, now, '--until'),
  };
  const read = await readAuditSource({
    source,
    window,
    files,
    stdin: process.stdin,
    journalDir: o.journalDir,
    journalFiles: o.journalFile,
    machine: o.machine,
    auditLogs: o.auditLog,
  });
  const name = o.name === undefined ? undefined : checkProfileName(o.name, '--name');
  const selector: RecordSelector = { name, exe: o.exe, comm: o.comm, uid: o.uid, pid: o.pid };
  const records = read.collection.records;
  const grouped = groupRecords(records, selector);
  const filteredOut = records.length - selectRecords(records, selector).length;
  const dbPath = resolveDbPath(o.db, io.env, io.cwd);
  const dryRun = o.dryRun === true;

  let profiles: ProfileImport[];
  let store: Store | null = null;
  try {
    store = (dryRun ? storeExists(dbPath) : grouped.length > 0) ? openStore(dbPath) : null;
    const open = store;
    const { admitted, refused } = admitGroups(grouped, (profile) => profileIdentities(open, profile), { merge: o.merge === true, named: name !== undefined });
    profiles = dryRun || open === null ? planAuditImport(open, admitted) : importAudit(open, admitted, io.cwd);
    const notImported = planAuditImport(open, refused.map((r) => r.group))
      .map((p, i) => ({ ...p, reason: (refused[i] as Refusal).reason }))
      .filter((p) => p.newRecords > 0);
    const report = { source: read.source, description: read.description, dryRun, collection: read.collection, filteredOut, profiles, refused: notImported };
    io.err(reportWarnings(read.collection, notImported));
    io.out(o.json === true ? reportJson(report) : reportText(report));
    const changed = [...new Set(profiles.filter((p) => p.newRecords > 0).map((p) => p.profile))];
    if (!dryRun && store !== null && o.policy) {
      for (const profile of changed) writePolicyOutputs(store.db, profile, policyOptions, io);
    }
  } finally {
    store?.close();
  }
  return read.collection.lossReports > 0 ? ExitCode.incomplete : ExitCode.ok;
}

function sourceOption(value: string, files: readonly string[]): AuditSourceName {
  const source = (AUDIT_SOURCES as readonly string[]).includes(value) ? (value as AuditSourceName) : undefined;
  if (source === undefined) throw new UsageError(`--source must be one of ${AUDIT_SOURCES.join(', ')}, got '${value}'`);
  if (files.length > 0 && source !== 'file' && source !== 'auto') {
    throw new UsageError(`files were given, but --source ${source} does not read files`, { hint: 'drop --source, or use --source file' });
  }
  return files.length > 0 ? 'file' : source;
}
