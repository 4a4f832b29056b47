// Category-level view of a policy: which catalog categories it USEs and which of them bring each syscall.
import type { PolicyDef, PolicyFile } from '../policy/model.js';
import { permits } from './compare-syscall.js';

export interface CategoryView {
  /** Catalog categories named in the top-level USE (a file's own POLICY blocks are not categories). */
  readonly categories: readonly string[] | null;
  readonly origins: ReadonlyMap<string, readonly string[]>;
}

/**
 * Walks the top-level USE of `file`: names defined in the file are followed (their USEs included), names
 * from `catalog` are categories. Every syscall a permitting rule names is attributed to the category (or
 * the file's own POLICY) it came through.
 */
export function categoryView(file: PolicyFile, catalog: ReadonlyMap<string, PolicyDef>): CategoryView {
  if (!file.use) return { categories: null, origins: new Map() };
  const local = new Map(file.defs.map((d) => [d.name, d]));
  const external = catalog;
  const categories = new Set<string>();
  const origins = new Map<string, string[]>();
  // `via` is the first catalog category on the path from the top level (or the local POLICY when none).
  const visit = (name: string, via: string | null, seen: Set<string>): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const def = local.get(name) ?? external.get(name);
    if (!def) return;
    if (via === null && !local.has(name)) categories.add(name);
    const origin = via ?? (local.has(name) ? null : name);
    for (const block of def.blocks) {
      if (!permits(block.action)) continue;
      for (const rule of block.rules) {
        const list = origins.get(rule.syscall) ?? [];
        const label = origin ?? name;
        if (!list.includes(label)) list.push(label);
        origins.set(rule.syscall, list);
      }
    }
    for (const used of def.uses) visit(used, origin, seen);
  };
  for (const name of file.use.names) visit(name, null, new Set());
  return { categories: [...categories].sort(), origins };
}

export function diffCategories(
  before: readonly string[] | null,
  after: readonly string[] | null,
): { added: string[]; removed: string[] } | null {
  if (before === null || after === null) return null;
  return { added: after.filter((c) => !before.includes(c)).sort(), removed: before.filter((c) => !after.includes(c)).sort() };
}
