// Profile names end up in file names (NAME.policy, NAME.systemd.conf), file headers and terminal output. A name
// given by the user is checked and refused when unfit; a name derived from a program (a command's basename, an
// audit record's exe or comm, a trace file's name) is made fit, since the program chose it, not the user.
import { UsageError } from '../errors.js';
import { hasUnsafeChars, printable, replaceUnsafe } from '../text/safe-text.js';

/** Room for the longest suffix we add (`.systemd.conf`) within NAME_MAX (255 bytes). */
export const MAX_PROFILE_NAME_BYTES = 200;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The reason `name` cannot be a profile name, or null when it can. */
function unfit(name: string): string | null {
  if (name === '' || name === '.' || name === '..') return 'it is empty or a directory name';
  if (hasUnsafeChars(name)) return 'it holds control characters';
  if (bytes(name) > MAX_PROFILE_NAME_BYTES) return `it is longer than ${MAX_PROFILE_NAME_BYTES} bytes`;
  return null;
}

/** A user-given name, unchanged, or a UsageError saying why it cannot be one. */
export function checkProfileName(name: string, what = 'profile name'): string {
  const why = unfit(name);
  if (why === null) return name;
  const shown = printable(name);
  throw new UsageError(`${what} '${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}' cannot be used: ${why}`, {
    hint: `use letters, digits and punctuation, at most ${MAX_PROFILE_NAME_BYTES} bytes`,
  });
}

/** A name derived from a program: control characters become '_', a long name is cut (whole characters). */
export function profileNameFrom(raw: string): string {
  let name = [...replaceUnsafe(raw, '_')].slice(0, MAX_PROFILE_NAME_BYTES).join('');
  while (bytes(name) > MAX_PROFILE_NAME_BYTES) name = [...name].slice(0, -1).join('');
  return unfit(name) === null ? name : 'unnamed';
}
