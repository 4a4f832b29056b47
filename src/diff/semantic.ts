// The semantic diff: both policies are compared by what they decide for every syscall and every class of
// argument values, so renames, reordering, regrouping and category-vs-list spellings show no drift.
import { UsageError } from '../errors.js';
import { sameAction, type Action, type Expr } from '../policy/model.js';
import type { ResolvedPolicy, ResolvedSyscall } from '../policy/resolved.js';
import { syscallNames, syscallNumber } from '../syscalls/table.js';
import { diffCategories } from './categories.js';
import { allowedWhen, compareSyscall, permits, relevantArgs, verdict, type SyscallVerdicts } from './compare-syscall.js';
import { describeArgs } from './describe.js';
import type { ActionChange, CategoryUse, DiffSide, PolicyDiff, SyscallChange } from './model.js';
import { changeRisk } from './risk-args.js';

/** Example descriptions listed per widened/narrowed syscall. */
const MAX_EXAMPLES = 6;

export function diffPolicies(oldSide: DiffSide, newSide: DiffSide): PolicyDiff {
  const a = oldSide.policy;
  const b = newSide.policy;
  if (a.arch !== b.arch) throw new UsageError(`cannot compare a ${a.arch} policy with a ${b.arch} policy`);
  const changes: SyscallChange[] = [];
  const oldByNr = byNumber(a);
  const newByNr = byNumber(b);
  for (const [name, nr] of syscallsOf(a, b)) {
    const oldEntry = oldByNr.get(nr);
    const newEntry = newByNr.get(nr);
    // Unlisted on both sides: the defaults decide; when both deny, the default change is reported once.
    if (!oldEntry && !newEntry && permits(a.defaultAction) === permits(b.defaultAction)) continue;
    changes.push(...syscallChanges(name, oldEntry, a.defaultAction, newEntry, b.defaultAction, oldSide, newSide));
  }
  changes.sort((x, y) => (x.syscall < y.syscall ? -1 : x.syscall > y.syscall ? 1 : 0));
  const categories = diffCategories(oldSide.categories, newSide.categories);
  return {
    arch: a.arch,
    oldLabel: oldSide.label,
    newLabel: newSide.label,
    categories,
    categoryUse: categoryUse(categories?.added ?? [], newSide),
    syscalls: changes,
    defaultAction: actionChange(a.defaultAction, b.defaultAction),
    foreignArchAction: actionChange(a.foreignArchAction, b.foreignArchAction),
  };
}

/** Each listed syscall by number (the first entry, should a number repeat). */
function byNumber(p: ResolvedPolicy): Map<number, ResolvedSyscall> {
  const out = new Map<number, ResolvedSyscall>();
  for (const s of p.syscalls) if (!out.has(s.nr)) out.set(s.nr, s);
  return out;
}

/** Every syscall either policy lists, plus the whole table when a default lets calls through. */
function syscallsOf(a: ResolvedPolicy, b: ResolvedPolicy): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of [...a.syscalls, ...b.syscalls]) out.set(s.name, s.nr);
  if (permits(a.defaultAction) !== permits(b.defaultAction)) {
    for (const name of syscallNames(a.arch)) {
      const nr = syscallNumber(a.arch, name);
      if (nr !== undefined && !out.has(name)) out.set(name, nr);
    }
  }
  return out;
}

function syscallChanges(
  name: string,
  oldEntry: ResolvedSyscall | undefined,
  oldDefault: Action,
  newEntry: ResolvedSyscall | undefined,
  newDefault: Action,
  oldSide: DiffSide,
  newSide: DiffSide,
): SyscallChange[] {
  const v = compareSyscall(oldEntry, oldDefault, newEntry, newDefault);
  const was = v.exact && v.oldAll ? null : whenOf(oldEntry, oldDefault);
  const now = v.exact && v.newAll ? null : whenOf(newEntry, newDefault);
  const widths = oldEntry?.widths ?? newEntry?.widths ?? [];
  const oldVerdict = (args: readonly bigint[]) => verdict(oldEntry?.clauses ?? [], oldDefault, args, widths);
  const newVerdict = (args: readonly bigint[]) => verdict(newEntry?.clauses ?? [], newDefault, args, widths);
  const permitsOld = (args: readonly bigint[]) => permits(oldVerdict(args));
  const permitsNew = (args: readonly bigint[]) => permits(newVerdict(args));
  const gains = (x: readonly bigint[]) => permitsNew(x) && !permitsOld(x);
  if (!v.oldAny && v.newAny) {
    return [{ kind: 'added', syscall: name, when: now, origins: originsOf(newSide, name, newEntry), risk: changeRisk(name, gains, v.valuesByArg) }];
  }
  if (v.oldAny && !v.newAny) return [{ kind: 'removed', syscall: name, was, origins: originsOf(oldSide, name, oldEntry) }];
  const out: SyscallChange[] = [];
  const common = { syscall: name, was, now, exact: v.exact };
  if (v.widened.length > 0) {
    const examples = describeWitnesses(name, v.widened, gains, v);
    out.push({ kind: 'widened', ...common, examples, origins: originsOf(newSide, name, newEntry), risk: changeRisk(name, gains, v.valuesByArg) });
  }
  if (v.narrowed.length > 0) {
    const loses = (x: readonly bigint[]) => permitsOld(x) && !permitsNew(x);
    const examples = describeWitnesses(name, v.narrowed, loses, v);
    out.push({ kind: 'narrowed', ...common, examples, origins: originsOf(oldSide, name, oldEntry), risk: changeRisk(name, loses, v.valuesByArg) });
  }
  if (out.length === 0 && v.actionChange) {
    const { from, to, args, everywhere } = v.actionChange;
    const changes = (x: readonly bigint[]) => !sameAction(oldVerdict(x), newVerdict(x));
    // Named only where the change is not for every argument (`socket: KILL → ERRNO(13) for socket(AF_UNIX, …)`).
    out.push({ kind: 'action', syscall: name, from, to, where: everywhere ? null : describeWitnesses(name, [args], changes, v)[0] ?? null });
  }
  return out;
}

/** The categories that bring a syscall; `default action` for one the policy does not list. */
function originsOf(side: DiffSide, name: string, entry: ResolvedSyscall | undefined): readonly string[] {
  return side.origins.get(name) ?? (entry === undefined ? ['default action'] : []);
}

/** The allowed-when condition of a syscall: null for any arguments. */
function whenOf(entry: ResolvedSyscall | undefined, fallback: Action): Expr | null {
  const e = allowedWhen(entry?.clauses ?? [], fallback);
  return e.kind === 'true' ? null : e;
}

/** Each witness described by the arguments that make the difference, deduplicated. */
function describeWitnesses(
  name: string,
  witnesses: readonly (readonly bigint[])[],
  changed: (args: readonly bigint[]) => boolean,
  v: SyscallVerdicts,
): string[] {
  const seen = new Set<string>();
  for (const w of witnesses) {
    const text = describeArgs(name, w, relevantArgs(w, changed, v));
    if (text !== '') seen.add(text);
    if (seen.size > MAX_EXAMPLES) break;
  }
  return [...seen].slice(0, MAX_EXAMPLES);
}

/** What pulled each added category in: the syscalls it brings that the new side observed (when it knows). */
function categoryUse(added: readonly string[], side: DiffSide): CategoryUse[] {
  const observed = side.observed;
  if (observed === undefined) return [];
  return added.map((name) => {
    const granted = [...side.origins].filter(([, via]) => via.includes(name)).map(([syscall]) => syscall).sort();
    return { name, observed: granted.filter((s) => observed.has(s)), granted };
  });
}

function actionChange(from: Action, to: Action): ActionChange | null {
  return sameAction(from, to) ? null : { from, to };
}
