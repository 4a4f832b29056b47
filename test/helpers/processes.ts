// Process trees, ports and unprivileged users for the tests (and benchmarks) that kill learn, run servers or
// play an attacker.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { execa } from 'execa';
import * as assert from 'uvu/assert';

/** Direct children of every thread of `pid`. */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter((x) => x !== '').map(Number));
  } catch {
    return [];
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Every process below `pid`, parents first. */
export function treeOf(pid: number): number[] {
  const kids = childrenOf(pid);
  return [...kids, ...kids.flatMap(treeOf)];
}

/** The user an unprivileged attacker is, in the security tests. */
export const NOBODY = 65534;

/** Runs `argv` as nobody (no groups), with `input` on stdin; fails the test if it fails. */
export async function asNobody(argv: readonly string[], input?: Buffer): Promise<string> {
  const r = await execa('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...argv],
    { reject: false, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });
  assert.is(r.exitCode, 0, String(r.stderr));
  return String(r.stdout);
}
