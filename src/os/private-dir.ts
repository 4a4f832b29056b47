// EDGE (files): a directory only this user (and root) can write, for what learn trusts without checking its
// content again: the compiled-filter cache. Like ssh's StrictModes: every directory on the way must be owned by
// root or us and not writable by others (a sticky /tmp is fine: others cannot rename our entries there), the
// directory itself ours and closed to others, and each file read from it ours, regular and not writable by others.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/** $XDG_CACHE_HOME/seccomp-learn/SUB, else ~/.cache/seccomp-learn/SUB; null when neither is set. */
export function userCacheDir(env: NodeJS.ProcessEnv, sub: string): string | null {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'seccomp-learn', sub);
  const home = env.HOME;
  return home !== undefined && isAbsolute(home) ? join(home, '.cache', 'seccomp-learn', sub) : null;
}

const euid = (): number => process.geteuid?.() ?? -1;
const WRITABLE_BY_OTHERS = 0o022;
const STICKY = 0o1000;

function ownedByUsOrRoot(s: Stats): boolean {
  return s.uid === euid() || s.uid === 0;
}

/** Creates `dir` (0700 for the parts we create) and says whether it is private by the rules above. */
export function preparePrivateDir(dir: string): boolean {
  try {
    makePrivate(dir);
    const real = realpathSync(dir);
    const leaf = lstatSync(real);
    if (!leaf.isDirectory() || leaf.uid !== euid() || (leaf.mode & 0o077) !== 0) return false;
    for (let d = dirname(real); ; d = dirname(d)) {
      const s = lstatSync(d);
      if (!ownedByUsOrRoot(s) || ((s.mode & WRITABLE_BY_OTHERS) !== 0 && (s.mode & STICKY) === 0)) return false;
      if (dirname(d) === d) return true;
    }
  } catch {
    return false;
  }
}

function makePrivate(dir: string): void {
  try {
    lstatSync(dir);
  } catch {
    const parent = dirname(dir);
    if (parent !== dir) makePrivate(parent);
    mkdirSync(dir, { mode: 0o700 });
  }
}

/** The file's bytes when it is ours, regular and not writable by others (never through a symlink); else null. */
export function readPrivateFile(file: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile() || s.uid !== euid() || (s.mode & WRITABLE_BY_OTHERS) !== 0) return null;
    return readFileSync(fd);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
