// Process trees and unprivileged users for tests that kill learn or play an attacker.
import { readdirSync, readFileSync } from 'node:fs';
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
