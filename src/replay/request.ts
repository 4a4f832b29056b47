// The loader's wire format. launch.ts writes a request to the loader's fd 3 and reads fd 3 back: the loader
// writes ARMED just before installing the filter, then a failure line if execve fails; a successful execve
// closes fd 3 (close-on-exec). Silence means the loader died before it got that far. Keeping argv/env/limits out of the loader's own argv and environment means
// NODE_OPTIONS, LD_PRELOAD or NODE_CHANNEL_FD meant for the target never apply to the loader, and vice versa.
import { UsageError } from '../errors.js';

/** The loader's channel to its launcher. */
export const LOADER_FD = 3;

export interface LoaderRequest {
  /** argv[0] is also the command, resolved through PATH from `env` like a shell does. */
  readonly argv: readonly string[];
  /** `NAME=value` entries, passed to the target exactly. */
  readonly env: readonly string[];
  /** RLIMIT_NOFILE soft limit for the target (Node raised its own); null keeps the loader's. */
  readonly nofileSoft: number | null;
  /** Raw little-endian `struct sock_filter[]`. */
  readonly filter: Uint8Array;
  /** Install it with a listener and wait for the supervisor's go-ahead byte before execve (supervisor.ts). */
  readonly supervised?: boolean;
}

export type FailureReason = 'not-found' | 'not-executable' | 'execve-denied' | 'setup';

/** Why the loader did not start the target; it then exits with FAILURE_EXIT_CODE[reason]. */
export interface LoaderFailure {
  readonly reason: FailureReason;
  readonly message: string;
}

/** Shell conventions: 127 not found, 126 found but cannot run; 125 the loader itself failed (as env/timeout). */
export const FAILURE_EXIT_CODE: Readonly<Record<FailureReason, number>> = {
  'not-found': 127,
  'not-executable': 126,
  'execve-denied': 126,
  setup: 125,
};

const SOCK_FILTER_SIZE = 8;
const MAX_INSNS = 4096;

/** Rejects bytes the kernel would refuse as a filter before anything is spawned. */
export function checkFilterBytes(filter: Uint8Array): void {
  const n = filter.length / SOCK_FILTER_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_INSNS) {
    throw new UsageError(`a seccomp filter is 1 to ${MAX_INSNS} 8-byte instructions, got ${filter.length} bytes`);
  }
}

/** Rejects what execve cannot carry: an empty argv and NUL bytes inside strings. */
export function checkExecStrings(argv: readonly string[], env: readonly string[]): void {
  if (argv.length === 0 || argv[0] === '') throw new UsageError('no command to run');
  for (const s of [...argv, ...env]) {
    if (s.includes('\0')) throw new UsageError(`an argument or environment entry contains a NUL byte: ${JSON.stringify(s)}`);
  }
}

/** `{NAME: value}` → `NAME=value` entries, in the object's order. */
export function envEntries(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/** 4-byte little-endian length, then JSON with the filter in base64. */
export function encodeRequest(req: LoaderRequest): Buffer {
  const body = Buffer.from(
    JSON.stringify({
      argv: req.argv,
      env: req.env,
      nofileSoft: req.nofileSoft,
      filter: Buffer.from(req.filter).toString('base64'),
      supervised: req.supervised,
    }),
  );
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length);
  return Buffer.concat([head, body]);
}

/** Length of the body announced by a request's first 4 bytes. */
export function requestBodyLength(head: Uint8Array): number {
  return Buffer.from(head.buffer, head.byteOffset, 4).readUInt32LE(0);
}

export function decodeRequestBody(body: Uint8Array): LoaderRequest {
  const raw = JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (!strings(raw.argv) || !strings(raw.env) || typeof raw.filter !== 'string') {
    throw new Error('malformed loader request');
  }
  const nofileSoft = typeof raw.nofileSoft === 'number' ? raw.nofileSoft : null;
  return { argv: raw.argv, env: raw.env, nofileSoft, filter: new Uint8Array(Buffer.from(raw.filter, 'base64')), supervised: raw.supervised === true };
}

export function encodeFailure(f: LoaderFailure): Buffer {
  return Buffer.from(`${JSON.stringify(f)}\n`);
}

/** Written by the loader once every check has passed, just before prctl/seccomp/execve; a supervised loader
 * adds the address it will read the go-ahead into (`armed wait=ADDR`). */
export const ARMED = 'armed';

export function encodeArmed(waitAddr?: bigint): Buffer {
  return Buffer.from(waitAddr === undefined ? `${ARMED}\n` : `${ARMED} wait=${waitAddr}\n`);
}

/** The wait address of an `armed` line, null for any other line. */
export function armedWaitAddr(line: string): bigint | null {
  const m = /^armed wait=(\d+)$/.exec(line.trim());
  return m === null ? null : BigInt(m[1] as string);
}

/** What the launcher read back from fd 3: null when the target was exec'd. `ended` says how the loader
 * process ended, for the case where it died before reporting anything. */
export function decodeReply(text: string, ended: string): LoaderFailure | null {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const line = lines.find((l) => l !== ARMED && armedWaitAddr(l) === null);
  if (line === undefined) {
    return lines.length > 0 ? null : { reason: 'setup', message: `the loader ${ended} before starting the target` };
  }
  try {
    const f = JSON.parse(line) as Partial<LoaderFailure>;
    if (typeof f.message === 'string' && typeof f.reason === 'string' && f.reason in FAILURE_EXIT_CODE) {
      return { reason: f.reason, message: f.message };
    }
  } catch {
    // fall through: report the raw text rather than lose it
  }
  return { reason: 'setup', message: line };
}
