// `learn check POLICY|FILTER.bpf (--profile NAME | --run ID | --trace FILE)`: would the filter allow every call
// the recordings saw? Runs nothing: each recorded shape goes through the BPF interpreter. Exit 1 on a denial.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Arch } from '../../abi/arch.js';
import type { Program } from '../../bpf/validate.js';
import { UsageError } from '../../errors.js';
import { checkShapes, type CheckResult, type CheckShape } from '../../replay/check.js';
import { loadFilter, type LoadedFilter } from '../../replay/filter-cache.js';
import { userCacheDir } from '../../os/private-dir.js';
import { openStore, storeExists } from '../../store/open.js';
import { resolveDbPath } from '../../store/path.js';
import { findProfile, getRun, profileObservations, runObservations } from '../../store/queries.js';
import { createStraceParser } from '../../trace/assemble.js';
import { createAggregator } from '../../trace/ingest.js';
import { painter } from '../color.js';
import type { Io } from '../io.js';
import type { ActionResult, RegisterCommand } from '../program.js';
import { expandTraceArgs, forEachLine } from '../trace-files.js';
import { VERSION } from '../version.js';
import { archOption } from './catalog.js';

interface CheckOptions {
  readonly profile?: string;
  readonly run?: number;
  readonly trace?: string;
  readonly db?: string;
  readonly arch?: string;
  readonly catalog?: string;
  readonly json?: boolean;
}

export const registerCheck: RegisterCommand = (program: Command, io: Io, result: ActionResult) => {
  program
    .command('check')
    .description('check a policy or compiled filter against recorded calls, without running anything;\n' +
      'lists every recorded call shape it would not allow (exit 1), or none (exit 0)')
    .argument('<policy>', 'policy file, or a raw filter (.bpf) from learn compile')
    .option('--profile <name>', 'every run of a stored profile')
    .option('--run <id>', 'one stored run', parseRunId)
    .option('--trace <file>', 'an strace log (strace -f -o FILE), read without storing it')
    .option('--db <path>', 'store file (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--arch <arch>', 'compile the policy for this arch only and check every call against it (default: each call against its own arch)')
    .option('--catalog <name|file>', 'catalog the policy USEs categories from (default: the one its header names, else default)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  learn check policies/nginx.policy --profile nginx\n  learn check nginx.bpf --trace nginx.strace.txt --json\n')
    .action(async (file: string, o: CheckOptions) => {
      const { label, shapes } = await recordedShapes(io, o);
      const policy = resolve(io.cwd, file);
      const checked = checkShapes(shapes, filterChooser(policy, o, userCacheDir(io.env, 'filters')));
      if (o.json) io.out(`${JSON.stringify({ policy: file, recording: label, ...checked }, null, 2)}\n`);
      else printCheck(io, file, label, checked);
      result.exitCode = checked.denied.length > 0 ? 1 : 0;
    });
};

function parseRunId(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--run needs a run id (see \`learn runs\`), got '${value}'`);
  return Number(value);
}

/** One filter for a raw file or --arch; otherwise one per arch the recording has, compiled when first needed. */
function filterChooser(file: string, o: CheckOptions, cacheDir: string | null): (arch: Arch) => Program {
  const load = (arch: Arch): LoadedFilter => loadFilter({ file, arch, mode: 'enforce', catalog: o.catalog, toolVersion: VERSION, cacheDir });
  const first = load(archOption(o.arch));
  if (first.kind === 'bpf' || o.arch !== undefined) return () => first.program;
  const byArch = new Map<Arch, Program>([[first.arch as Arch, first.program]]);
  return (arch) => {
    let p = byArch.get(arch);
    if (p === undefined) byArch.set(arch, (p = load(arch).program));
    return p;
  };
}

async function recordedShapes(io: Io, o: CheckOptions): Promise<{ label: string; shapes: CheckShape[] }> {
  const given = [o.profile, o.run, o.trace].filter((x) => x !== undefined).length;
  if (given !== 1) throw new UsageError('say what to check against: exactly one of --profile NAME, --run ID or --trace FILE');
  if (o.trace !== undefined) return { label: `trace ${o.trace}`, shapes: await traceShapes(io, o.trace) };
  const path = resolveDbPath(o.db, io.env, io.cwd);
  if (!storeExists(path)) throw new UsageError(`no store at ${path}`, { hint: 'trace something first: learn -- CMD, or pass --db' });
  const store = openStore(path);
  try {
    if (o.profile !== undefined) {
      if (!findProfile(store.db, o.profile)) throw new UsageError(`no profile named '${o.profile}' in ${path}`, { hint: 'list profiles with `learn runs`' });
      return { label: `profile ${o.profile}`, shapes: profileObservations(store.db, o.profile) };
    }
    const run = o.run as number;
    if (!getRun(store.db, run)) throw new UsageError(`no run ${run} in ${path}`, { hint: 'list runs with `learn runs`' });
    return { label: `run ${run}`, shapes: runObservations(store.db, run) };
  } finally {
    store.close();
  }
}

/** An strace log aggregated in memory, the way `learn from-strace` would store it. */
async function traceShapes(io: Io, arg: string): Promise<CheckShape[]> {
  const aggregator = createAggregator();
  for (const f of expandTraceArgs([arg], io.cwd)) {
    const parser = createStraceParser({ file: f.path, ...(f.defaultPid === undefined ? {} : { defaultPid: f.defaultPid }) });
    await forEachLine(f.path, (line) => parser.feed(line).forEach((e) => aggregator.add(e)));
    parser.finish().forEach((e) => aggregator.add(e));
    aggregator.end();
  }
  const batch = aggregator.takeBatch();
  // A traced container runtime: the container's calls are what its policy was learned from, as in the store.
  const shapes = batch.split.split === null ? batch.observations : batch.observations.filter((o) => o.phase === 'container');
  if (shapes.length === 0) throw new UsageError(`no syscalls found in ${arg}`, { hint: 'is this strace output? e.g. strace -f -o FILE CMD' });
  return [...shapes];
}

function printCheck(io: Io, file: string, label: string, r: CheckResult): void {
  const c = painter(io.color);
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  const verdict = r.denied.length === 0 ? c.green('all allowed') : c.red(`${plural(r.denied.length, 'shape')} denied`);
  io.out(`${file} against ${label}: ${plural(r.shapes, 'call shape')}, ${plural(r.calls, 'call')}: ${verdict}\n`);
  for (const d of r.denied) {
    io.out(`  ${c.bold(d.name)} (${d.arch}, nr ${d.nr}${d.shape === '' ? '' : `, args ${d.shape}`}): ${plural(d.count, 'call')} → ${d.action}\n`);
    io.out(`    first: ${d.name}(${d.firstRaw})\n`);
  }
  if (r.unnamed.length > 0) {
    io.out(`${plural(r.unnamed.length, 'call shape')} to syscall numbers without a name (no policy can allow them by name):\n`);
    for (const u of r.unnamed) io.out(`  ${u.name} (${u.arch}, nr ${u.nr}): ${plural(u.count, 'call')} → ${u.action}\n`);
  }
  if (r.undetermined.length > 0) {
    io.out(`${plural(r.undetermined.length, 'shape')} could not be decided: the filter inspects arguments the recording did not keep\n`);
    for (const u of r.undetermined) io.out(`  ${u.name} (${u.arch}, unrecorded args ${u.unknown.join(',')}): ${plural(u.count, 'call')}; first: ${u.name}(${u.firstRaw})\n`);
  }
}
