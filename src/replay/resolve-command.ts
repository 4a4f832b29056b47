// EDGE (reads the file system): find the program to execve the way a shell's PATH search does, so a missing or
// non-executable target is reported before a filter is installed (the error path might be denied after).
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoaderFailure } from './request.js';

/** glibc execvp's search path when PATH is unset. */
const DEFAULT_PATH = '/bin:/usr/bin';

export type Resolved = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly failure: LoaderFailure };

type Probe = 'ok' | 'missing' | 'not-executable' | 'directory';

function probe(file: string): Probe {
  try {
    if (statSync(file).isDirectory()) return 'directory';
    accessSync(file, constants.X_OK);
    return 'ok';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EACCES' ? 'not-executable' : 'missing';
  }
}

/** The absolute path execve should run for `command`, searched in `pathVar` (the target's PATH) unless it has a '/'. */
export function resolveCommand(command: string, pathVar: string | undefined, cwd: string): Resolved {
  const notFound: Resolved = { ok: false, failure: { reason: 'not-found', message: `${command}: command not found` } };
  const cannot = (why: string): Resolved => ({ ok: false, failure: { reason: 'not-executable', message: `${command}: ${why}` } });
  if (command.includes('/')) {
    const file = resolve(cwd, command);
    switch (probe(file)) {
      case 'ok':
        return { ok: true, path: file };
      case 'missing':
        return { ok: false, failure: { reason: 'not-found', message: `${command}: no such file` } };
      case 'directory':
        return cannot('is a directory');
      case 'not-executable':
        return cannot('permission denied (not executable)');
    }
  }
  let sawNotExecutable = false;
  for (const dir of (pathVar ?? DEFAULT_PATH).split(':')) {
    const file = resolve(cwd, dir === '' ? '.' : dir, command);
    const p = probe(file);
    if (p === 'ok') return { ok: true, path: file };
    if (p === 'not-executable') sawNotExecutable = true;
  }
  return sawNotExecutable ? cannot('permission denied (not executable)') : notFound;
}

/** The value of NAME in `NAME=value` entries: the first one, as getenv sees it. */
export function envValue(env: readonly string[], name: string): string | undefined {
  const prefix = `${name}=`;
  return env.find((e) => e.startsWith(prefix))?.slice(prefix.length);
}
