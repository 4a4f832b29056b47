// ResolvedPolicy → a systemd drop-in: SystemCallFilter= with systemd's own group names wherever a group lies
// wholly inside the allowed set (an exact cover by the `systemd` catalog), plain names for the rest.
import { printable } from '../../text/safe-text.js';
import type { Arch } from '../../abi/arch.js';
import { solveCover } from '../../learn/cover.js';
import type { Category } from '../../learn/types.js';
import { assertNever } from '../model.js';
import type { ResolvedPolicy } from '../resolved.js';
import { allowedNames, type Diagnostic, type Emitted } from './emitted.js';
import { errnoName } from './errno-names.js';

export interface SystemdOptions {
  /** The `systemd` catalog as categories, named `@group` (see systemdGroupName). */
  readonly groups: readonly Category[];
  /** The group systemd allows implicitly in allow-list mode (@default). */
  readonly implicit?: Category;
  /** Comment lines for the top of the file. */
  readonly header?: readonly string[];
  /** Other ABIs the profile used besides the native one. */
  readonly extraArches?: readonly Arch[];
}

const SYSTEMD_ARCH: Readonly<Record<Arch, string>> = { x86_64: 'x86-64', i386: 'x86', aarch64: 'arm64' };
const LINE = 100;

export function emitSystemd(policy: ResolvedPolicy, options: SystemdOptions): Emitted {
  const { names, losses } = allowedNames(policy, 'systemd SystemCallFilter=');
  const allowed = new Set(names);
  const members = (g: Category) => [...(g.syscalls.get(policy.arch)?.keys() ?? [])];
  const usable = options.groups.filter((g) => members(g).length > 0 && members(g).every((n) => allowed.has(n)));
  const solution = solveCover({
    elements: names.length,
    sets: usable.map((g) => ({ name: g.name, excess: [], covers: members(g).map((n) => names.indexOf(n)) })),
  });
  const entries = [...solution.chosen.map((i) => usable[i]!.name), ...solution.uncovered.map((i) => names[i]!)];
  const implicit = options.implicit ? members(options.implicit).filter((n) => !allowed.has(n)) : [];
  if (implicit.length > 0) {
    losses.push({ code: 'implicit-allow', message: `systemd always allows ${options.implicit!.name} in allow-list mode, so these are allowed too: ${implicit.join(' ')}` });
  }
  const lines = [...(options.header ?? []).map((l) => `# ${printable(l)}`.trimEnd()), '[Service]'];
  lines.push(...wrap(entries).map((chunk) => `SystemCallFilter=${chunk}`));
  const arches = ['native', ...(options.extraArches ?? []).map((a) => SYSTEMD_ARCH[a])];
  lines.push(`SystemCallArchitectures=${arches.join(' ')}`);
  lines.push(...defaultLines(policy, losses));
  return { text: `${lines.join('\n')}\n`, losses };
}

/** Several SystemCallFilter= lines are merged by systemd, so long lists wrap. */
function wrap(entries: readonly string[]): string[] {
  const out: string[] = [];
  let line = '';
  for (const e of entries) {
    if (line !== '' && line.length + 1 + e.length > LINE) {
      out.push(line);
      line = e;
    } else line = line === '' ? e : `${line} ${e}`;
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out;
}

function defaultLines(policy: ResolvedPolicy, losses: Diagnostic[]): string[] {
  const action = policy.defaultAction;
  const lose = (what: string) => losses.push({ code: 'default-action', message: `systemd cannot make the default action ${what}; it kills the process instead` });
  switch (action.kind) {
    case 'errno':
      return [`SystemCallErrorNumber=${errnoName(action.errno)}`];
    case 'kill-process':
      return [];
    case 'kill-thread':
    case 'trap':
    case 'log':
    case 'user-notif':
    case 'allow':
      lose(action.kind);
      return [];
    default:
      return assertNever(action);
  }
}
