import type { Command } from 'commander';
import { checkProfileName, profileNameFrom } from '../../store/profile-name.js';
import { UsageError } from '../../errors.js';
import { openStore } from '../../store/open.js';
import { resolveDbPath } from '../../store/path.js';
import { beginRun } from '../../store/writer.js';
import { createStraceParser } from '../../trace/assemble.js';
import type { Io } from '../io.js';
import type { ActionResult, RegisterCommand } from '../program.js';
import { createRecorder } from '../recorder.js';
import { printSummary, summarize } from '../run-summary.js';
import { expandTraceArgs, forEachLine, profileNameFromFile, skipReason } from '../trace-files.js';

export interface FromStraceOptions {
  readonly name?: string;
  readonly db?: string;
  readonly recordEvents: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
}

export const registerFromStrace: RegisterCommand = (program: Command, io: Io, result: ActionResult) => {
  program
    .command('from-strace')
    .summary('ingest existing strace logs into a profile')
    .description('Parse strace output files (any of -f, -ff, -t/-tt/-ttt/-r, -T, -y/-yy, -n, -i, ...) and store their\n' +
      'syscalls as one run. A prefix of `strace -ff -o PREFIX` output means every PREFIX.<pid> file.\n' +
      'Unparseable lines are counted and the first few reported; they never stop the import.')
    .argument('<file...>', 'strace output files, or an -ff prefix')
    .option('--name <name>', 'profile name (default: from the first file name)')
    .option('--db <path>', 'store file (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--record-events', 'also store every call, not only the aggregate')
    .option('--quiet', 'no summary on stderr')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  strace -f -n -o app.trace ./app && learn from-strace app.trace --name app\n  learn from-strace logs/trace        # logs/trace.<pid> from strace -ff -o logs/trace')
    .action(async (files: string[], opts: Record<string, unknown>) => {
      result.exitCode = await fromStrace(io, files, {
        ...(opts.name === undefined ? {} : { name: opts.name as string }),
        ...(opts.db === undefined ? {} : { db: opts.db as string }),
        recordEvents: opts.recordEvents === true,
        json: opts.json === true,
        quiet: opts.quiet === true,
      });
    });
};

/** Imports the files as one run; returns the exit code. */
export async function fromStrace(io: Io, args: readonly string[], o: FromStraceOptions): Promise<number> {
  const files = expandTraceArgs(args, io.cwd);
  const readable = files.filter((f) => {
    const why = skipReason(f.path);
    if (why !== null && !o.quiet) io.err(`learn: ${f.path}: ${why}, skipped\n`);
    return why === null;
  });
  if (readable.length === 0) throw new UsageError(`nothing to import: ${args.join(' ')} (${files.length} file${files.length === 1 ? '' : 's'} skipped)`);
  const profile = o.name !== undefined ? checkProfileName(o.name) : profileNameFrom(profileNameFromFile(readable[0]?.path ?? 'trace'));
  const store = openStore(resolveDbPath(o.db, io.env, io.cwd));
  try {
    const writer = beginRun(store, { profile, command: files.map((f) => f.path), cwd: io.cwd, source: 'strace-file', startedAt: new Date() });
    const recorder = createRecorder(writer, { recordEvents: o.recordEvents });
    try {
      for (const file of readable) {
        const parser = createStraceParser({ file: file.path, ...(file.defaultPid === undefined ? {} : { defaultPid: file.defaultPid }) });
        recorder.track(parser, file.path);
        await forEachLine(file.path, (line) => recorder.add(parser.feed(line)));
        recorder.add(parser.finish());
      }
    } catch (error) {
      writer.discard();
      throw error;
    }
    if (recorder.stats.events === 0) {
      writer.discard();
      const first = recorder.parsers.flatMap((p) => p.parser.problems.map((q) => `${p.file}:${q.line}: ${q.reason}`))[0];
      throw new UsageError(`no syscalls found in ${args.join(' ')}${first === undefined ? '' : ` (first problem: ${first})`}`, {
        hint: 'is this strace output? e.g. strace -f -n -o FILE CMD',
      });
    }
    recorder.finish({ status: 'complete', endedAt: new Date(), exitCode: null, signal: null });
    printSummary(io, summarize(recorder, { profile, runId: writer.runId, db: store.path, status: 'complete' }), o);
    return 0;
  } finally {
    store.close();
  }
}
