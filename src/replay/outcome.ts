// Pure: how a replayed process ended, from what the launcher saw, and the exit status `learn replay` returns.
import { constants } from 'node:os';
import { assertNever } from '../policy/model.js';
import { FAILURE_EXIT_CODE, type LoaderFailure } from './request.js';

export type Launcher = 'loader' | 'bwrap';

/** What a launcher reports: the wait status, and the loader's reason when it never started the target. */
export interface RawEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly failure: LoaderFailure | null;
}

export type Outcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: number; readonly name: string }
  /** SIGSYS: a KILL action (or TRAP without a handler) ended it. */
  | { readonly kind: 'seccomp-killed' }
  | { readonly kind: 'not-started'; readonly failure: LoaderFailure };

const SIGSYS = constants.signals.SIGSYS;
const SIGNAL_BASE = 128;
const MAX_SIGNAL = 64;

function signalName(n: number): string {
  const found = Object.entries(constants.signals).find(([, v]) => v === n);
  return found ? found[0] : `SIG${n}`;
}

function fromSignal(n: number): Outcome {
  return n === SIGSYS ? { kind: 'seccomp-killed' } : { kind: 'signaled', signal: n, name: signalName(n) };
}

export function classifyEnd(end: RawEnd, launcher: Launcher): Outcome {
  if (end.failure !== null) return { kind: 'not-started', failure: end.failure };
  if (end.signal !== null) return fromSignal(constants.signals[end.signal]);
  const code = end.code ?? 0;
  // bwrap stays the target's parent and turns its death by signal N into exit 128+N (SIGSYS → 159), so
  // under bwrap those codes are read as signals: it cannot tell them from a target exiting with them.
  if (launcher === 'bwrap' && code > SIGNAL_BASE && code <= SIGNAL_BASE + MAX_SIGNAL) return fromSignal(code - SIGNAL_BASE);
  return { kind: 'exited', code };
}

/** The status `learn replay` exits with: the target's own, a signal N as 128+N, like a shell. */
export function replayExitCode(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'exited':
      return outcome.code;
    case 'signaled':
      return SIGNAL_BASE + outcome.signal;
    case 'seccomp-killed':
      return SIGNAL_BASE + SIGSYS;
    case 'not-started':
      return FAILURE_EXIT_CODE[outcome.failure.reason];
    default:
      return assertNever(outcome);
  }
}

/** One line for people. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'exited':
      return `exited with status ${outcome.code}`;
    case 'signaled':
      return `killed by ${outcome.name}`;
    case 'seccomp-killed':
      return 'killed by SIGSYS: the filter denied a syscall with KILL';
    case 'not-started':
      return `not started: ${outcome.failure.message}`;
    default:
      return assertNever(outcome);
  }
}
