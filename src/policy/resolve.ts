// PolicyFile + arch (+ catalog) → ResolvedPolicy: USE expanded, names turned into numbers, clauses ordered.
import type { Arch } from '../abi/arch.js';
import type { Catalog } from '../catalog/catalogs.js';
import { didYouMean } from '../catalog/diagnostics.js';
import { isKnownSyscall } from '../catalog/parser.js';
import { placeOf, usePlaceOf } from '../catalog/places.js';
import { formatPlace, InputError, UsageError, type Place } from '../errors.js';
import { argWidth } from '../syscalls/args.js';
import { syscallNumber } from '../syscalls/table.js';
import { KILL_PROCESS, sameAction, type Action, type PolicyDef, type PolicyFile, type Rule } from './model.js';
import type { Clause, ResolvedPolicy, ResolvedSyscall } from './resolved.js';
import { printAction } from './emit/kafel.js';

export interface ResolveOptions {
  /** Where names the file does not define are looked up (the file's own POLICY blocks win). */
  readonly catalog?: Catalog;
  /** What a call from another arch gets; kill-process by default. */
  readonly foreignArchAction?: Action;
  /** Named in errors about IR that did not come from the parser (which records real places). */
  readonly fileName?: string;
}

export function resolvePolicy(file: PolicyFile, arch: Arch, options: ResolveOptions = {}): ResolvedPolicy {
  const fileName = options.fileName ?? '<policy>';
  if (!file.use) throw new UsageError(`${fileName}: the policy has no \`USE ... DEFAULT action\` line`);
  const local = new Map(file.defs.map((d) => [d.name, d]));
  const catalogDefs = options.catalog?.defs;
  const lookup = (name: string) => local.get(name) ?? catalogDefs?.get(name);
  const known = () => [...local.keys(), ...(catalogDefs?.keys() ?? [])];
  const use = file.use;
  const roots = use.names.map((name, i) => ({ name, place: usePlaceOf(use, i) }));
  const defs = expandUses(roots, lookup, known, fileName);
  return {
    arch,
    defaultAction: use.defaultAction,
    foreignArchAction: options.foreignArchAction ?? KILL_PROCESS,
    syscalls: resolveRules(defs, arch, use.defaultAction, fileName),
  };
}

export interface UseRef {
  readonly name: string;
  readonly place: Place | undefined;
}

/** The POLICY blocks `roots` name, each once, depth first: a block's USEs come before its own rules. */
export function expandUses(
  roots: readonly UseRef[],
  lookup: (name: string) => PolicyDef | undefined,
  known: () => readonly string[],
  fileName: string,
): PolicyDef[] {
  const out: PolicyDef[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (ref: UseRef): void => {
    if (stack.includes(ref.name)) {
      fail(ref.place, fileName, `USE cycle: ${[...stack.slice(stack.indexOf(ref.name)), ref.name].join(' → ')}`);
    }
    if (done.has(ref.name)) return;
    const def = lookup(ref.name);
    if (!def) fail(ref.place, fileName, `unknown POLICY \`${ref.name}\``, didYouMean(ref.name, known()));
    stack.push(ref.name);
    def.uses.forEach((name, i) => visit({ name, place: usePlaceOf(def, i) }));
    stack.pop();
    done.add(ref.name);
    out.push(def);
  };
  roots.forEach(visit);
  return out;
}

interface Pending {
  readonly conditional: Clause[];
  unconditional: { readonly action: Action; readonly rule: Rule; readonly def: PolicyDef } | null;
}

function resolveRules(defs: readonly PolicyDef[], arch: Arch, defaultAction: Action, fileName: string): ResolvedSyscall[] {
  const pending = new Map<string, Pending>();
  for (const def of defs) {
    for (const block of def.blocks) {
      for (const rule of block.rules) {
        if (!isKnownSyscall(rule.syscall)) fail(placeOf(rule), fileName, `unknown syscall \`${rule.syscall}\``);
        // Categories are arch-neutral: a name this arch lacks (`open` on aarch64) simply grants nothing here.
        if (syscallNumber(arch, rule.syscall) === undefined || rule.when?.kind === 'false') continue;
        let p = pending.get(rule.syscall);
        if (!p) pending.set(rule.syscall, (p = { conditional: [], unconditional: null }));
        if (rule.when === null || rule.when.kind === 'true') {
          const prev = p.unconditional;
          if (prev && !sameAction(prev.action, block.action)) {
            const where = placeOf(prev.rule);
            fail(placeOf(rule), fileName, `\`${rule.syscall}\` gets ${printAction(block.action)} here but ${printAction(prev.action)} in POLICY \`${prev.def.name}\`${where ? ` (${formatPlace(where)})` : ''}`,
              'a syscall can have only one unconditional action');
          }
          p.unconditional ??= { action: block.action, rule, def };
        } else if (!p.conditional.some((c) => sameAction(c.action, block.action) && sameExpr(c.when, rule.when))) {
          p.conditional.push({ when: rule.when, action: block.action });
        }
      }
    }
  }
  const out: ResolvedSyscall[] = [];
  for (const [name, p] of pending) {
    const clauses = orderClauses(p, defaultAction);
    if (clauses.length === 0) continue;
    out.push({
      nr: syscallNumber(arch, name)!,
      name,
      clauses,
      widths: [0, 1, 2, 3, 4, 5].map((i) => argWidth(arch, name, i)),
    });
  }
  return out.sort((a, b) => a.nr - b.nr);
}

/** Conditional clauses first (first match wins), then the unconditional one. Clauses that can only
 * lead to what would happen anyway (the unconditional or default action) are dropped from the end. */
function orderClauses(p: Pending, defaultAction: Action): Clause[] {
  const fallthrough = p.unconditional?.action ?? defaultAction;
  const conditional = [...p.conditional];
  while (conditional.length > 0 && sameAction(conditional[conditional.length - 1]!.action, fallthrough)) conditional.pop();
  if (p.unconditional && (conditional.length > 0 || !sameAction(p.unconditional.action, defaultAction))) {
    return [...conditional, { when: null, action: p.unconditional.action }];
  }
  return conditional;
}

function sameExpr(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ===
    JSON.stringify(b, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

function fail(place: Place | undefined, fileName: string, message: string, hint?: string): never {
  const options = hint === undefined ? {} : { hint };
  if (place) throw new InputError(place, message, options);
  throw new UsageError(`${fileName}: ${message}`, options);
}
