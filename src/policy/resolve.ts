// PolicyFile + arch (+ catalog) → ResolvedPolicy, with Kafel's meaning: every `USE p` is replaced by p's body
// where it stands (each POLICY once, at its first USE), and a call gets the action of the first rule, in
// that text order, that names its syscall and whose condition holds. All walks are loops with explicit
// stacks and per-syscall sets, so a 20k-long USE chain or thousands of conditions cost linear time.
import type { Arch } from '../abi/arch.js';
import type { Catalog } from '../catalog/catalogs.js';
import { didYouMean } from '../catalog/diagnostics.js';
import { customSyscallNumber, isKnownSyscall } from '../catalog/parser.js';
import { placeOf, usePlaceOf } from '../catalog/places.js';
import { formatPlace, InputError, UsageError, type Place } from '../errors.js';
import { argWidth, type ArgWidth } from '../syscalls/args.js';
import { kafelAlias } from '../syscalls/kafel-names.js';
import { syscallName, syscallNumber } from '../syscalls/table.js';
import { printAction } from './emit/kafel.js';
import { KILL_PROCESS, sameAction, type Action, type Entry, type Expr, type GuardArch, type PolicyDef, type PolicyFile, type Rule } from './model.js';
import type { Clause, ResolvedPolicy, ResolvedSyscall } from './resolved.js';
import { checkWidths } from './widths.js';

export interface PolicyWarning {
  readonly place: Place | undefined;
  readonly message: string;
}

export interface ResolveOptions {
  /** Where names the file does not define are looked up (the file's own POLICY blocks win). */
  readonly catalog?: Catalog;
  /** What a call from another arch gets; kill-process by default. */
  readonly foreignArchAction?: Action;
  /** Named in errors about IR that did not come from the parser (which records real places). */
  readonly fileName?: string;
  /** Rules that can never match, constants decided by the argument width: told here, not fatal. */
  readonly onWarning?: (w: PolicyWarning) => void;
}

/** The `ON` name of each arch we compile for. */
const GUARD_NAME: Readonly<Record<Arch, GuardArch>> = { x86_64: 'x86_64', i386: 'x86', aarch64: 'aarch64' };

export function resolvePolicy(file: PolicyFile, arch: Arch, options: ResolveOptions = {}): ResolvedPolicy {
  const fileName = options.fileName ?? '<policy>';
  if (!file.top) throw new UsageError(`${fileName}: the policy has no top-level rules, \`USE\` or \`DEFAULT\` (a catalog is not a policy)`);
  const local = new Map(file.defs.map((d) => [d.name, d]));
  const catalogDefs = options.catalog?.defs;
  const lookup = (name: string) => local.get(name) ?? catalogDefs?.get(name);
  const known = () => [...local.keys(), ...(catalogDefs?.keys() ?? [])];
  const rules = flattenBody(file.top, lookup, known, fileName);
  const defaultAction = file.top.defaultAction;
  return {
    arch,
    defaultAction,
    foreignArchAction: options.foreignArchAction ?? KILL_PROCESS,
    syscalls: resolveRules(rules, arch, defaultAction, fileName, options.onWarning ?? (() => {})),
  };
}

/** One rule of the flattened text, with its block's action and the POLICY it came from (null: top level). */
export interface FlatRule {
  readonly action: Action;
  readonly rule: Rule;
  readonly from: string | null;
}

/** The rules of `root` in Kafel's order: each `USE p` replaced by p's body where it stands, each POLICY at
 * most once (a later USE of it adds nothing a first match could reach). Unknown names and cycles are errors. */
export function flattenBody(
  root: { readonly body: readonly Entry[] },
  lookup: (name: string) => PolicyDef | undefined,
  known: () => readonly string[],
  fileName: string,
): FlatRule[] {
  const out: FlatRule[] = [];
  const used = new Set<string>();
  // Explicit stack of open bodies: a USE pushes the used POLICY, finishing a body pops it.
  const stack: { owner: object; name: string | null; body: readonly Entry[]; next: number; uses: number }[] = [
    { owner: root, name: null, body: root.body, next: 0, uses: 0 },
  ];
  const open = new Set<string>();
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next >= frame.body.length) {
      stack.pop();
      if (frame.name !== null) open.delete(frame.name);
      continue;
    }
    const entry = frame.body[frame.next++]!;
    if (entry.kind === 'block') {
      for (const rule of entry.rules) out.push({ action: entry.action, rule, from: frame.name });
      continue;
    }
    const place = usePlaceOf(frame.owner, frame.uses++);
    if (open.has(entry.name)) {
      const path = stack.flatMap((f) => (f.name === null ? [] : [f.name]));
      fail(place, fileName, `USE cycle: ${[...path.slice(path.indexOf(entry.name)), entry.name].join(' → ')}`);
    }
    if (used.has(entry.name)) continue;
    const def = lookup(entry.name);
    if (!def) fail(place, fileName, `unknown POLICY \`${entry.name}\``, didYouMean(entry.name, known()));
    used.add(entry.name);
    open.add(entry.name);
    stack.push({ owner: def, name: def.name, body: def.body, next: 0, uses: 0 });
  }
  return out;
}

/** The number a rule names on `arch`, or undefined when the rule does not exist there. */
export function ruleNumber(rule: Rule, arch: Arch): number | undefined {
  if (rule.on && !rule.on.includes(GUARD_NAME[arch])) return undefined;
  const alias = kafelAlias(arch, rule.syscall);
  return customSyscallNumber(rule.syscall) ?? syscallNumber(arch, alias ?? rule.syscall);
}

interface Pending {
  readonly name: string;
  readonly clauses: Clause[];
  /** Where each kept clause was written (for "never matches" warnings). */
  readonly places: (Place | undefined)[];
  readonly seen: Set<string>;
  /** Set once a clause without a condition is kept: nothing after it can match. */
  closed: boolean;
  readonly widths: readonly ArgWidth[];
}

function resolveRules(rules: readonly FlatRule[], arch: Arch, defaultAction: Action, fileName: string, warn: (w: PolicyWarning) => void): ResolvedSyscall[] {
  const pending = new Map<number, Pending>();
  for (const { action, rule } of rules) {
    const custom = customSyscallNumber(rule.syscall);
    if (custom === undefined && !isKnownSyscall(rule.syscall)) fail(placeOf(rule), fileName, `unknown syscall \`${rule.syscall}\``);
    // Categories are arch-neutral: a name this arch lacks (`open` on aarch64) simply grants nothing here.
    const nr = ruleNumber(rule, arch);
    if (nr === undefined) continue;
    let p = pending.get(nr);
    if (!p) {
      // The table's own name for a number or a Kafel spelling, so widths and reports use it.
      const name = custom === undefined && syscallNumber(arch, rule.syscall) !== undefined ? rule.syscall : (syscallName(arch, nr) ?? rule.syscall);
      p = { name, clauses: [], places: [], seen: new Set(), closed: false, widths: [0, 1, 2, 3, 4, 5].map((i) => argWidth(arch, name, i)) };
      pending.set(nr, p);
    }
    const when = rule.when === null ? null : checkWidths(rule.when, p.widths, arch, rule, fileName, warn);
    if (when?.kind === 'false') continue;
    const place = placeOf(rule);
    if (p.closed) {
      const first = p.clauses[p.clauses.length - 1]!;
      if (!sameAction(first.action, action)) {
        const where = p.places[p.places.length - 1];
        warn({
          place,
          message: `this ${printAction(action)} rule for \`${rule.syscall}\` can never match: \`${rule.syscall}\` is always decided earlier (${printAction(first.action)}${where ? ` at ${formatPlace(where)}` : ''})`,
        });
      }
      continue;
    }
    const unconditional = when === null || when.kind === 'true';
    const key = `${actionKey(action)}|${unconditional ? '*' : exprKey(when)}`;
    if (p.seen.has(key)) continue;
    p.seen.add(key);
    p.clauses.push({ when: unconditional ? null : when, action });
    p.places.push(place);
    p.closed = unconditional;
  }
  const out: ResolvedSyscall[] = [];
  for (const [nr, p] of pending) {
    const clauses = trimClauses(p.clauses, defaultAction);
    if (clauses.length > 0) out.push({ nr, name: p.name, clauses, widths: p.widths });
  }
  return out.sort((a, b) => a.nr - b.nr);
}

/** Clauses at the end that only lead to what would happen anyway (the next clause's action or the default)
 * are dropped: the first match decides the same either way. */
function trimClauses(clauses: readonly Clause[], defaultAction: Action): Clause[] {
  const out = [...clauses];
  for (;;) {
    const last = out[out.length - 1];
    if (!last) return out;
    if (last.when === null) {
      let k = out.length - 1;
      while (k > 0 && sameAction(out[k - 1]!.action, last.action)) k--;
      out.splice(k, out.length - 1 - k);
      if (!sameAction(last.action, defaultAction)) return out;
      out.pop();
    } else if (sameAction(last.action, defaultAction)) out.pop();
    else return out;
  }
}

function actionKey(a: Action): string {
  return a.kind === 'errno' ? `errno${a.errno}` : a.kind === 'trap' ? `trap${a.data ?? 0}` : a.kind;
}

/** A structural key of an expression (its depth is bounded by the parser, so recursion is safe). */
export function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'true':
    case 'false':
      return e.kind;
    case 'cmp':
      return `${e.arg}&${e.mask.toString(16)}${e.op}${e.value.toString(16)}`;
    case 'cmp2':
      return `${e.arg}&${e.mask.toString(16)}${e.op}@${e.arg2}&${e.mask2.toString(16)}`;
    case 'and':
    case 'or':
      return `${e.kind}(${e.items.map(exprKey).join(',')})`;
    case 'not':
      return `!(${exprKey(e.expr)})`;
  }
}

export function fail(place: Place | undefined, fileName: string, message: string, hint?: string): never {
  const options = hint === undefined ? {} : { hint };
  if (place) throw new InputError(place, message, options);
  throw new UsageError(`${fileName}: ${message}`, options);
}
