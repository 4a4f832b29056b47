// Calls whose failure programs handle, answered with an error instead of a kill where the policy does not allow
// them (balanced and broad levels). A learn run that never made such a call must not leave a neighbouring feature
// that does killed for it; the error grants nothing, and the program then does what it does on a machine
// without the facility.
// - glibc's name-service probe: before it reads /etc/passwd or /etc/group (ls -l, tar tv, id, find -ls), glibc
//   opens a unix stream socket to ask nscd, and reads the files when that fails. A filter cannot see the
//   socket's path, so the rule matches the probe's exact arguments and answers EACCES; every other socket, and
//   connect, stay under the policy's DEFAULT.
// - clone3: glibc ≥ 2.34 starts threads and posix_spawn children with it (sort on a large input, xz -T2, a Python
//   thread pool) and falls back to clone on ENOSYS, as Rust's std and systemd do; Docker's default profile
//   answers it so. Its flags are in memory a filter cannot read; clone's are in a register, where the catalog
//   allows threads and, with Spawn, children without namespace flags.
import type { Arch } from '../abi/arch.js';
import { ARG_MASK_ALL, bodyOf, type Action, type Expr, type PolicyDef, type Rule } from '../policy/model.js';
import { syscallNumber } from '../syscalls/table.js';
import { ENOSYS } from './clone3-fallback.js';
import { categoryCovers, ruleAccepts } from './coverage.js';
import type { Category, ObservedShape } from './types.js';

interface FallbackAnswer {
  /** The POLICY block's name (made unique against the catalog by the caller). */
  readonly name: string;
  readonly syscall: string;
  /** The exact argument values the rule matches, or null: every call. */
  readonly args: readonly bigint[] | null;
  readonly params: readonly string[];
  readonly errno: number;
  readonly doc: readonly string[];
  /** The doc when the learn run made the call (the learner took it for the call it falls back to). */
  readonly observedDoc?: readonly string[];
}

const EACCES = 13;

export const FALLBACK_ANSWERS: readonly FallbackAnswer[] = [
  {
    name: 'name_service_probe',
    syscall: 'socket',
    // socket(AF_UNIX = 1, SOCK_STREAM = 1 | SOCK_NONBLOCK = 0x800 | SOCK_CLOEXEC = 0x80000, 0), as glibc's nscd client makes it.
    args: [1n, 0x80801n, 0n],
    params: ['domain', 'type', 'protocol'],
    errno: EACCES,
    doc: [
      'Never observed and not allowed: glibc\'s name-service probe (a unix stream socket to nscd, made before it',
      'reads /etc/passwd and /etc/group, e.g. by ls -l) fails with EACCES instead of killing the program, which',
      'then reads the files as on any machine without nscd. Every other socket stays under DEFAULT.',
    ],
  },
  {
    name: 'clone3_fallback',
    syscall: 'clone3',
    args: null,
    params: [],
    errno: ENOSYS,
    doc: [
      'Never observed and not allowed: clone3 (its flags are in memory a filter cannot read) fails with ENOSYS',
      'instead of killing the program; glibc then starts the thread or child with clone, whose flags the',
      'policy checks (threads; children only with Spawn; never namespaces).',
    ],
    observedDoc: [
      'Not allowed: observed clone3 calls (threads/children without namespaces) run as clone after ENOSYS.',
      'clone3\'s flags are in memory a filter cannot read; glibc then starts the thread or child with clone,',
      'whose flags the policy checks (those observed; never namespaces).',
    ],
  },
];

const eq = (arg: number, value: bigint): Expr => ({ kind: 'cmp', arg, mask: ARG_MASK_ALL, op: '==', value });

/** Whether an unmatched call would kill or trap: only then is an error the gentler answer. */
function defaultStops(action: Action): boolean {
  return action.kind === 'kill-process' || action.kind === 'kill-thread' || action.kind === 'trap';
}

/**
 * The POLICY blocks answering each fallback call with its error, leaving out those the policy already allows on
 * some arch (the program was seen making it, or a category grants it); none when its DEFAULT does not stop.
 * `nameOf` makes a block's name unique; `recorded`: the calls the program made that the learner took for what
 * their failure leads to (observed clone3 as clone), which their doc says.
 */
export function fallbackAnswers(arches: readonly Arch[], granted: { categories: readonly Category[]; rules: readonly Rule[] },
  defaultAction: Action, nameOf: (wanted: string) => string, recorded: ReadonlySet<string>): PolicyDef[] {
  if (!defaultStops(defaultAction)) return [];
  return FALLBACK_ANSWERS.flatMap((answer) => {
    const calls: ObservedShape[] = arches.flatMap((arch) => syscallNumber(arch, answer.syscall) === undefined ? [] : [{
      arch, nr: syscallNumber(arch, answer.syscall)!, name: answer.syscall, count: 0, runIds: [],
      values: answer.args === null ? null : [...answer.args, ...Array<null>(6 - answer.args.length).fill(null)],
    }]);
    const allowed = (c: ObservedShape): boolean =>
      granted.categories.some((cat) => categoryCovers(cat, c)) || granted.rules.some((r) => r.syscall === answer.syscall && ruleAccepts(r, c));
    if (calls.length === 0 || calls.some(allowed)) return [];
    const rule: Rule = {
      syscall: answer.syscall,
      params: answer.params,
      when: answer.args === null ? null : { kind: 'and', items: answer.args.map((v, i) => eq(i, v)) },
    };
    const doc = recorded.has(answer.syscall) ? answer.observedDoc ?? answer.doc : answer.doc;
    return [{ name: nameOf(answer.name), body: bodyOf([], [{ action: { kind: 'errno', errno: answer.errno }, rules: [rule] }]), doc }];
  });
}
