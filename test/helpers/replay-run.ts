// Runs a launcher with piped stdio and collects what the target printed, for replay tests.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Launched } from '../../src/replay/launch.js';
import type { RawEnd } from '../../src/replay/outcome.js';

export interface Collected {
  readonly end: RawEnd;
  readonly stdout: string;
  readonly stderr: string;
}

export async function collect(launched: Launched | Promise<Launched>): Promise<Collected> {
  const l = await launched;
  let stdout = '';
  let stderr = '';
  l.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()));
  l.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
  const end = await l.end;
  // The target may exit before its pipes drain.
  await Promise.all([l.stdout, l.stderr].map((s) => (s && !s.readableEnded ? new Promise((r) => s.once('close', r)) : null)));
  return { end, stdout, stderr };
}

const DRIVER = fileURLToPath(new URL('./ipc-driver.js', import.meta.url));
/** Where the driver's untouched leaked fd lands. */
export const LEAKED_FD = 20;

export interface DriverResult {
  readonly stdout: string;
  /** The environment the driver asked for. */
  readonly env: string[];
  readonly end: unknown;
}

/** Forks ipc-driver.js with an IPC channel and a leaked fd, running `argv` with launcher `how`. */
export async function runDriver(how: 'loader' | 'bwrap' | 'plain', argv: readonly string[]): Promise<DriverResult> {
  // stdout and stderr are pipes of their own: a description shared with other processes can have its
  // O_NONBLOCK flipped by them at any time (Node restores its startup flags on exit).
  const stdio = ['ignore', 'pipe', 'pipe', 'ipc', ...Array<'ignore'>(LEAKED_FD - 4).fill('ignore'), 'pipe'] as const;
  const child = fork(DRIVER, [how, ...argv], { stdio: [...stdio], env: { ...process.env, REPLAY_TEST_MARK: 'x' } });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr?.resume();
  let message: { env: string[]; end: unknown } | undefined;
  child.on('message', (m) => void (message = m as typeof message));
  await new Promise((resolve) => child.on('close', resolve));
  if (!message) throw new Error(`the ${how} driver sent no report; it printed: ${stdout}`);
  return { stdout, env: message.env, end: message.end };
}
