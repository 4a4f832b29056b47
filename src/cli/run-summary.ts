// The closing report of `learn -- CMD` and `learn from-strace`: text on stderr, or JSON on stdout.
import { printable } from '../text/safe-text.js';
import type { Arch } from '../abi/arch.js';
import type { SplitInfo } from '../trace/container-split.js';
import type { Recorder } from './recorder.js';
import type { Io } from './io.js';

export const SHOWN_PROBLEMS = 5;

export interface RunSummary {
  readonly profile: string;
  readonly runId: number;
  readonly db: string;
  readonly status: 'complete' | 'incomplete';
  readonly events: number;
  readonly syscalls: Readonly<Partial<Record<Arch, number>>>;
  readonly processes: number;
  readonly parseErrors: number;
  /** The first few parse problems, with their place. */
  readonly problems: readonly { readonly place: string; readonly reason: string; readonly text: string }[];
  /** A container runtime in the trace: its calls and the container's are told apart (null fields: none). */
  readonly container: SplitInfo;
  /** How the traced program ended (tracing only). */
  readonly ended?: { readonly exitCode: number | null; readonly signal: string | null; readonly how: string };
}

export function summarize(recorder: Recorder, base: Pick<RunSummary, 'profile' | 'runId' | 'db' | 'status' | 'ended'>): RunSummary {
  const stats = recorder.stats;
  const problems = recorder.parsers.flatMap((p) =>
    p.parser.problems.map((q) => ({ place: `${p.file ?? 'trace'}:${q.line}`, reason: q.reason, text: q.text })));
  return {
    ...base,
    events: stats.events,
    syscalls: stats.syscallsPerArch,
    processes: stats.processes,
    container: stats.split,
    parseErrors: recorder.parseErrors,
    problems: problems.slice(0, SHOWN_PROBLEMS),
  };
}

export function printSummary(io: Io, s: RunSummary, options: { json: boolean; quiet: boolean }): void {
  if (s.ended !== undefined && !options.quiet) io.err(`learn: ${s.ended.how}\n`);
  if (options.json) {
    io.out(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  if (options.quiet) return;
  const perArch = Object.entries(s.syscalls).map(([arch, n]) => `${n} ${arch}`).join(', ') || '0';
  io.err(`learn: profile ${s.profile}, run ${s.runId} (${s.status}): ${s.events} events, syscalls ${perArch}, ` +
    `${s.processes} process${s.processes === 1 ? '' : 'es'}, ${s.parseErrors} parse problem${s.parseErrors === 1 ? '' : 's'}\n`);
  if (s.container.split !== null) {
    const where = s.container.split === 'filter' ? 'where its init loaded the filter' : 'at the entrypoint\'s execve (no filter in config.json)';
    io.err(`learn: container run under ${s.container.runtime}: split ${where}; the policy is learned from the container's calls (learn show ${s.profile})\n`);
  }
  for (const p of s.problems) io.err(`  ${printable(`${p.place}: ${p.reason}: ${p.text}`)}\n`); // the text is the traced program's
  if (s.parseErrors > s.problems.length && s.problems.length > 0) io.err(`  … and ${s.parseErrors - s.problems.length} more\n`);
}
