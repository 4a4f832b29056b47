// glibc's name-service probe, answered with an error instead of a kill. Before it reads /etc/passwd or
// /etc/group (ls -l, tar tv, id, find -ls), glibc opens a unix stream socket to ask nscd, and reads the files
// when that fails, as it does on every machine without nscd. A learn run that never printed a user name never
// made the probe, so a neighbouring feature that does would be killed for a call whose failure the program
// handles. A filter cannot see the socket's path, so the rule matches the probe's exact arguments and answers
// EACCES; every other socket, and connect, stay under the policy's DEFAULT.
import type { Arch } from '../abi/arch.js';
import { ARG_MASK_ALL, bodyOf, type Action, type Expr, type PolicyDef, type Rule } from '../policy/model.js';
import { syscallNumber } from '../syscalls/table.js';
import { categoryCovers, ruleAccepts } from './coverage.js';
import type { Category, ObservedShape } from './types.js';

const EACCES = 13;
/** socket(AF_UNIX = 1, SOCK_STREAM = 1 | SOCK_NONBLOCK = 0x800 | SOCK_CLOEXEC = 0x80000, 0), as glibc's nscd
 * client makes it. */
const PROBE = [1n, 0x80801n, 0n] as const;

const eq = (arg: number, value: bigint): Expr => ({ kind: 'cmp', arg, mask: ARG_MASK_ALL, op: '==', value });

/** Whether an unmatched call would kill or trap: only then is an error the gentler answer. */
function defaultStops(action: Action): boolean {
  return action.kind === 'kill-process' || action.kind === 'kill-thread' || action.kind === 'trap';
}

/**
 * The POLICY that answers the probe with EACCES, or null when the policy already allows it on some arch
 * (the program was seen making it, or a category grants unix sockets) or its DEFAULT does not kill.
 */
export function nscdFallback(name: string, arches: readonly Arch[], granted: { categories: readonly Category[]; rules: readonly Rule[] },
  defaultAction: Action): PolicyDef | null {
  if (!defaultStops(defaultAction)) return null;
  const probes: ObservedShape[] = arches.flatMap((arch) => {
    const nr = syscallNumber(arch, 'socket');
    return nr === undefined ? [] : [{ arch, nr, name: 'socket', values: [...PROBE, null, null, null], count: 0, runIds: [] }];
  });
  if (probes.length === 0) return null;
  const allowed = (p: ObservedShape): boolean =>
    granted.categories.some((c) => categoryCovers(c, p)) || granted.rules.some((r) => r.syscall === 'socket' && ruleAccepts(r, p));
  if (probes.some(allowed)) return null;
  const rule: Rule = { syscall: 'socket', params: ['domain', 'type', 'protocol'], when: { kind: 'and', items: PROBE.map((v, i) => eq(i, v)) } };
  return {
    name,
    body: bodyOf([], [{ action: { kind: 'errno', errno: EACCES }, rules: [rule] }]),
    doc: [
      'Never observed and not allowed: glibc\'s name-service probe (a unix stream socket to nscd, made before it',
      'reads /etc/passwd and /etc/group, e.g. by ls -l) fails with EACCES instead of killing the program, which',
      'then reads the files as on any machine without nscd. Every other socket stays under DEFAULT.',
    ],
  };
}
