// Whether bwrap can run here: it may be missing (no bubblewrap package) or unable to create namespaces (a
// container without user namespaces). Tests of the bwrap launcher skip with the reason.
import { spawnSync } from 'node:child_process';

export type BwrapSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function bwrapSupport(path: string | undefined = process.env.PATH): BwrapSupport {
  const r = spawnSync('bwrap', ['--dev-bind', '/', '/', '--', 'true'], { env: { PATH: path ?? '' }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return { ok: false, reason: 'bwrap is not installed (apt-get install bubblewrap)' };
  if (r.status !== 0) return { ok: false, reason: `bwrap cannot create its namespaces here: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`}` };
  return { ok: true };
}

/** Prints why the bwrap tests of a file are skipped and returns whether they may run. */
export function bwrapUsable(suiteName: string): boolean {
  const support = bwrapSupport();
  if (!support.ok) console.log(`  ${suiteName}: skipping bwrap tests: ${support.reason}`);
  return support.ok;
}
