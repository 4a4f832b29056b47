// Catalogs: files of named categories (POLICY blocks) that learned policies USE. Three are built in
// (policies/catalogs/*.policy); a user's own file works the same way.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arch } from '../abi/arch.js';
import { UsageError } from '../errors.js';
import type { PolicyDef, Rule } from '../policy/model.js';
import { expandUses } from '../policy/resolve.js';
import { syscallNumber } from '../syscalls/table.js';
import { didYouMean, failAt } from './diagnostics.js';
import { parsePolicy } from './parser.js';
import { usePlaceOf } from './places.js';

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
export function catalogFromText(text: string, file: string): Catalog {
  const parsed = parsePolicy(text, file);
  if (parsed.use) {
    const at = usePlaceOf(parsed.use, 0);
    if (at) failAt(at, 'a catalog defines categories only: remove the top-level `USE ... DEFAULT` line');
  }
  const defs = new Map(parsed.defs.map((d) => [d.name, d]));
  const known = () => [...defs.keys()];
  for (const def of parsed.defs) expandUses([{ name: def.name, place: undefined }], (n) => defs.get(n), known, file);
  return { name: basename(file).replace(/\.policy$/, ''), file, defs };
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
  const catalog = catalogFromText(text, file);
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

/** Syscall names a category grants on an arch (USE of other POLICY blocks expanded, cycles → InputError),
 * each with the rules that grant it (a null `when` means always). Only ALLOW and LOG blocks grant. */
export function categorySyscalls(catalog: Catalog, name: string, arch: Arch): ReadonlyMap<string, readonly Rule[]> {
  if (!catalog.defs.has(name)) {
    const hint = didYouMean(name, catalog.defs.keys());
    throw new UsageError(`catalog '${catalog.name}' has no category '${name}'`, hint === undefined ? {} : { hint });
  }
  const defs = expandUses([{ name, place: undefined }], (n) => catalog.defs.get(n), () => [...catalog.defs.keys()], catalog.file);
  const out = new Map<string, Rule[]>();
  for (const def of defs) {
    for (const block of def.blocks) {
      if (block.action.kind !== 'allow' && block.action.kind !== 'log') continue;
      for (const rule of block.rules) {
        if (syscallNumber(arch, rule.syscall) === undefined) continue;
        const list = out.get(rule.syscall) ?? [];
        list.push(rule);
        out.set(rule.syscall, list);
      }
    }
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
