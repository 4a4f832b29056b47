import type { Command } from 'commander';
import { printable } from '../../text/safe-text.js';
import { UsageError } from '../../errors.js';
import { openStore, storeExists } from '../../store/open.js';
import { resolveDbPath } from '../../store/path.js';
import { findProfile, listRuns, profileObservations, profileProcesses, type ObservationSummary, type ProcessSummary, type RunRow } from '../../store/queries.js';
import type { Database } from 'better-sqlite3';
import { PHASES, setupCallsFirst, type Phase } from '../../trace/container-split.js';
import type { Io } from '../io.js';
import type { ActionResult, RegisterCommand } from '../program.js';

/** One syscall of a profile, argument shapes folded together. */
export interface ShownSyscall {
  readonly arch: string;
  readonly nr: number;
  readonly name: string;
  readonly count: number;
  readonly shapes: number;
}

export const registerShow: RegisterCommand = (program: Command, io: Io, _result: ActionResult) => {
  program
    .command('show')
    .summary('show what a profile has seen')
    .description('Show the syscalls a profile observed (over all its runs) with call counts per arch, and its processes.')
    .argument('<profile>', 'profile name (see `learn runs`)')
    .option('--db <path>', 'store file (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--shapes', 'list each argument shape with its first occurrence')
    .option('--json', 'print {profile, runs, syscalls, observations, processes} as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  learn show ls\n  learn show nginx --json')
    .action((name: string, opts: { db?: string; json?: boolean; shapes?: boolean }) => {
      const path = resolveDbPath(opts.db, io.env, io.cwd);
      if (!storeExists(path)) throw new UsageError(`unknown profile '${name}': no store at ${path}`, { hint: 'trace a program first: learn -- CMD' });
      const store = openStore(path);
      try {
        if (findProfile(store.db, name) === undefined) throw new UsageError(`unknown profile '${name}'`, { hint: 'learn runs lists the profiles' });
        const observations = profileObservations(store.db, name);
        const processes = profileProcesses(store.db, name);
        const runRows = listRuns(store.db, name);
        const runs = runRows.map((r) => r.id);
        const syscalls = foldShapes(observations);
        const container = containerSplit(store.db, name, runRows);
        if (opts.json === true) io.out(`${JSON.stringify({ profile: name, runs, syscalls, observations, processes, ...(container === null ? {} : { container }) }, null, 2)}\n`);
        else io.out(formatShow(name, runs, syscalls, opts.shapes === true ? observations : [], processes) + (container === null ? '' : formatSplit(container)));
      } finally {
        store.close();
      }
    });
};

/** How a profile's container runs divide into phases: syscall names per phase, over every container run. */
export interface ContainerSplitView {
  readonly runs: readonly { readonly id: number; readonly runtime: string | null; readonly split: string | null }[];
  readonly phases: Readonly<Record<Phase, readonly string[]>>;
}

function containerSplit(db: Database, profile: string, runs: readonly RunRow[]): ContainerSplitView | null {
  const container = runs.filter((r) => r.containerSplit !== null);
  if (container.length === 0) return null;
  const names = (phase: Phase) => [...new Set(profileObservations(db, profile, phase).map((o) => o.name))].sort();
  return {
    runs: container.map((r) => ({ id: r.id, runtime: r.containerRuntime, split: r.containerSplit })),
    phases: { host: names('host'), runtime: names('runtime'), container: names('container') },
  };
}

const PHASE_TEXT: Readonly<Record<Phase, string>> = {
  host: 'the runtime\'s setup, outside the container (not in the policy)',
  runtime: 'the runtime\'s init after loading the filter, up to the entrypoint\'s execve',
  container: 'the container: the entrypoint and its children (the policy is learned from these)',
};

export function formatSplit(view: ContainerSplitView): string {
  const lines = [`container split: ${view.runs.map((r) => `run #${r.id} ${r.runtime ?? '?'} at ${r.split === 'filter' ? 'its filter load' : 'the entrypoint execve'}`).join(', ')}`];
  for (const phase of PHASES) {
    const names = phase === 'host' ? setupCallsFirst(view.phases.host) : view.phases[phase];
    lines.push(`  ${phase}: ${names.length} syscalls — ${PHASE_TEXT[phase]}`);
    lines.push(`    ${names.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function foldShapes(observations: readonly ObservationSummary[]): ShownSyscall[] {
  const byKey = new Map<string, { arch: string; nr: number; name: string; count: number; shapes: number }>();
  for (const o of observations) {
    const key = `${o.arch}:${o.nr}:${o.name}`;
    const s = byKey.get(key) ?? { arch: o.arch, nr: o.nr, name: o.name, count: 0, shapes: 0 };
    s.count += o.count;
    s.shapes++;
    byKey.set(key, s);
  }
  return [...byKey.values()];
}

export function formatShow(name: string, runs: readonly number[], syscalls: readonly ShownSyscall[],
  shapes: readonly ObservationSummary[], processes: readonly ProcessSummary[]): string {
  const lines = [`profile ${name}: ${runs.length} run${runs.length === 1 ? '' : 's'} (${runs.map((r) => `#${r}`).join(', ')})`];
  for (const arch of [...new Set(syscalls.map((s) => s.arch))]) {
    const own = syscalls.filter((s) => s.arch === arch);
    lines.push(`${arch}: ${own.length} syscalls`);
    for (const s of own) lines.push(`  ${s.name.padEnd(24)} ${String(s.nr).padStart(5)} ${String(s.count).padStart(9)}${s.shapes > 1 ? `  (${s.shapes} argument shapes)` : ''}`);
  }
  if (shapes.length > 0) {
    lines.push('argument shapes:');
    for (const o of shapes.filter((x) => x.shape !== '')) lines.push(`  ${o.arch} ${o.name} [${o.shape}] ×${o.count}: ${o.name}(${o.firstRaw})`);
  }
  const procs = processes.filter((p) => !p.thread);
  lines.push(`processes: ${procs.length} (+${processes.length - procs.length} threads)`);
  for (const p of procs) lines.push(`  run #${p.runId} pid ${p.pid}${p.ppid === null ? '' : ` ppid ${p.ppid}`}${p.exe === null ? '' : ` ${p.exe}`}`);
  return `${lines.map(printable).join('\n')}\n`;
}
