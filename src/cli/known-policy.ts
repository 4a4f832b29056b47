// `learn --known POLICY -- CMD`: trace only what POLICY does not already allow outright, then list it.
import { runningArch } from '../abi/arch.js';
import { readSide } from '../diff/read-side.js';
import { allowedOutright, untracedSyscalls } from '../diff/trace-set.js';
import { KILL_PROCESS } from '../policy/model.js';
import { runObservations } from '../store/queries.js';
import type { Io } from './io.js';
import type { TraceOutcome } from './trace-run.js';

export interface KnownPolicy {
  /** Syscalls strace need not stop on. */
  readonly untraced: readonly string[];
  /** Says on stderr what the run did beyond the policy. */
  readonly report: (io: Io, outcome: TraceOutcome) => void;
}

/** The --known policy, resolved for this machine's arch. */
export async function readKnownPolicy(file: string, io: Io): Promise<KnownPolicy> {
  const ctx = { cwd: io.cwd, env: io.env, arch: runningArch() ?? 'x86_64', catalog: undefined, db: undefined, defaultAction: KILL_PROCESS };
  const known = (await readSide(file, ctx)).side.policy;
  const outright = new Set(allowedOutright(known));
  return {
    untraced: untracedSyscalls(known),
    // Only calls outside the policy's outright allowances were recorded (and the fork marker).
    report(io, outcome) {
      const names = [...new Set(runObservations(outcome.store.db, outcome.summary.runId)
        .filter((o) => !(o.arch === known.arch && outright.has(o.name)))
        .map((o) => (o.arch === known.arch ? o.name : `${o.name} (${o.arch})`)))].sort();
      io.err(names.length === 0
        ? `learn: nothing beyond what ${file} allows outright\n`
        : `learn: beyond what ${file} allows outright: ${names.join(', ')} (check the argument rules with \`learn check ${file} --run ${outcome.summary.runId}\`)\n`);
    },
  };
}
