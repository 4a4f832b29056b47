// Builds test/helpers/state-probe.c with gcc into a temp dir and parses what it prints.
import { buildHelperProgram } from './c-program.js';


export function buildStateProbe(): string {
  return buildHelperProgram('state-probe');
}

export interface ProbeState {
  /** Signals whose disposition is not SIG_DFL, as `N=ignored|handled|error`. */
  readonly nonDefaultSignals: string[];
  readonly blocked: string;
  readonly fd: Record<number, string>;
  readonly extraFds: number[];
  readonly env: string[];
  readonly noNewPrivs: number | undefined;
  readonly seccomp: number | undefined;
  readonly nofileSoft: number | undefined;
  readonly getppid: number | undefined;
  readonly getppidErrno: number | undefined;
}

export function parseProbe(text: string): ProbeState {
  const state: ProbeState = {
    nonDefaultSignals: [], blocked: '', fd: {}, extraFds: [], env: [],
    noNewPrivs: undefined, seccomp: undefined, nofileSoft: undefined, getppid: undefined, getppidErrno: undefined,
  };
  const s = state as { -readonly [K in keyof ProbeState]: ProbeState[K] };
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key.startsWith('sig.')) s.nonDefaultSignals.push(`${key.slice(4)}=${value}`);
    else if (key.startsWith('fd.')) s.fd[Number(key.slice(3))] = value;
    else if (key === 'blocked') s.blocked = value;
    else if (key === 'extra_fd') s.extraFds.push(Number(value));
    else if (key === 'env') s.env.push(value);
    else if (key === 'NoNewPrivs') s.noNewPrivs = Number(value);
    else if (key === 'Seccomp') s.seccomp = Number(value);
    else if (key === 'nofile_soft') s.nofileSoft = Number(value);
    else if (key === 'getppid') s.getppid = Number(value);
    else if (key === 'getppid_errno') s.getppidErrno = Number(value);
  }
  return state;
}
