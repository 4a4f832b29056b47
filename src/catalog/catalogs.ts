// Catalogs: files of named categories (POLICY blocks) that learned policies USE. Three are built in
// (policies/catalogs/*.policy); a user's own file works the same way.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arch } from '../abi/arch.js';
import { UsageError } from '../errors.js';
import { andNot } from '../policy/emit/dnf.js';
import { usesOf, type Expr, type PolicyDef, type Rule } from '../policy/model.js';
import { fail, flattenBody, ruleNumber } from '../policy/resolve.js';
import { syscallName } from '../syscalls/table.js';
import { didYouMean, failAt } from './diagnostics.js';
import { includeFromFiles } from './include-files.js';
import type { IncludeReader } from './lexer.js';
import { parsePolicy } from './parser.js';
import { placeOf, usePlaceOf } from './places.js';

export interface Catalog {
  readonly name: string;
  readonly file: string;
  /** In file order. */
  readonly defs: ReadonlyMap<string, PolicyDef>;
}

const BUILTIN = ['default', 'pledge', 'systemd'] as const;

export function builtinCatalogNames(): readonly string[] {
  return BUILTIN;
}

/** The built-in catalog a learned policy's header names (`// …; catalog: systemd`), so commands that read the
 * policy back resolve its categories where they came from. A path there is not trusted. */
export function catalogNamedIn(policyText: string): string | undefined {
  for (const line of policyText.split('\n', 12)) {
    const m = /^\/\/.*\bcatalog: ([a-z]+)\b/.exec(line);
    if (m && (BUILTIN as readonly string[]).includes(m[1]!)) return m[1];
  }
  return undefined;
}

/** The catalog for a policy: the user's --catalog, else the one its header names, else `default`. */
export function catalogForPolicy(flag: string | undefined, policyText: string): Catalog {
  return loadCatalog(flag ?? catalogNamedIn(policyText) ?? 'default');
}

/** Parses and checks a catalog: categories only (no top-level USE), every nested USE defined, no cycles. */
export function catalogFromText(text: string, file: string, include?: IncludeReader): Catalog {
  const parsed = parsePolicy(text, file, include === undefined ? {} : { include });
  if (parsed.top) {
    const at = usePlaceOf(parsed.top, 0) ?? placeOf(parsed.top);
    const message = 'a catalog defines categories only: remove the top-level rules, `USE` and `DEFAULT`';
    if (at) failAt(at, message);
    throw new UsageError(`${file}: ${message}`);
  }
  const defs = new Map(parsed.defs.map((d) => [d.name, d]));
  checkUses(defs, file);
  return { name: basename(file).replace(/\.policy$/, ''), file, defs };
}

/** Every USE names a category of the file and none leads back to itself: one depth-first walk with an
 * explicit stack, linear in the catalog's size however long its USE chains are. */
function checkUses(defs: ReadonlyMap<string, PolicyDef>, file: string): void {
  const done = new Set<string>();
  for (const start of defs.values()) {
    if (done.has(start.name)) continue;
    const stack: { def: PolicyDef; uses: string[]; next: number }[] = [{ def: start, uses: usesOf(start.body), next: 0 }];
    const open = new Set([start.name]);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.next >= frame.uses.length) {
        stack.pop();
        open.delete(frame.def.name);
        done.add(frame.def.name);
        continue;
      }
      const index = frame.next++;
      const name = frame.uses[index]!;
      const place = usePlaceOf(frame.def, index);
      if (open.has(name)) {
        const path = stack.map((f) => f.def.name);
        fail(place, file, `USE cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`);
      }
      if (done.has(name)) continue;
      const def = defs.get(name);
      if (!def) fail(place, file, `unknown POLICY \`${name}\``, didYouMean(name, defs.keys()));
      open.add(name);
      stack.push({ def, uses: usesOf(def.body), next: 0 });
    }
  }
}

// Built-in catalogs are package files: parsed once per process (`diff --baseline` needs one for the baseline
// and again for the traced side). A user's catalog file is read afresh each time.
const builtinCache = new Map<string, Catalog>();

/** The edge that reads catalog files: a built-in name, or a path to the user's own catalog. */
export function loadCatalog(nameOrPath: string): Catalog {
  const cached = builtinCache.get(nameOrPath);
  if (cached !== undefined) return cached;
  const builtin = (BUILTIN as readonly string[]).includes(nameOrPath);
  const looksLikePath = /[/\\]|\.policy$/.test(nameOrPath);
  if (!builtin && !looksLikePath) {
    const hint = didYouMean(nameOrPath, BUILTIN);
    throw new UsageError(`unknown catalog '${nameOrPath}': built-in catalogs are ${BUILTIN.join(', ')}, or give a path to a .policy file`, hint === undefined ? {} : { hint });
  }
  const file = builtin ? join(catalogDir(), `${nameOrPath}.policy`) : nameOrPath;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read catalog ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  const catalog = catalogFromText(text, file, builtin ? undefined : includeFromFiles());
  if (!builtin) return catalog;
  const named = { ...catalog, name: nameOrPath };
  builtinCache.set(nameOrPath, named);
  return named;
}

/** policies/catalogs of the package, from src/catalog (tsx) or dist/src/catalog (built). */
function catalogDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${join('dist', 'src')}`) ? '../../..' : '../..';
  return join(here, up, 'policies', 'catalogs');
}

/** Syscall names a category grants on an arch (USE of other POLICY blocks expanded in place), each with the
 * rules that grant it (a null `when` means always). Only ALLOW and LOG grant, and under Kafel's first-match
 * order only where no earlier rule of the category decided otherwise: such rules' conditions are excluded. */
export function categorySyscalls(catalog: Catalog, name: string, arch: Arch): ReadonlyMap<string, readonly Rule[]> {
  const def = catalog.defs.get(name);
  if (!def) {
    const hint = didYouMean(name, catalog.defs.keys());
    throw new UsageError(`catalog '${catalog.name}' has no category '${name}'`, hint === undefined ? {} : { hint });
  }
  const flat = flattenBody(def, (n) => catalog.defs.get(n), () => [...catalog.defs.keys()], catalog.file);
  const out = new Map<string, Rule[]>();
  const denied = new Map<string, Expr[]>();
  const closed = new Set<string>();
  for (const { action, rule } of flat) {
    const nr = ruleNumber(rule, arch);
    if (nr === undefined) continue;
    const key = syscallName(arch, nr) ?? rule.syscall;
    if (closed.has(key)) continue;
    if (rule.when === null) closed.add(key);
    const before = denied.get(key) ?? [];
    if (action.kind !== 'allow' && action.kind !== 'log') {
      denied.set(key, [...before, rule.when ?? { kind: 'true' }]);
      continue;
    }
    const list = out.get(key) ?? [];
    list.push(before.length === 0 ? rule : { ...rule, params: rule.params, when: andNot(rule.when, before) });
    out.set(key, list);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
