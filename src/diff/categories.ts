// Category-level view of a policy: which catalog categories it USEs and which of them bring each syscall.
import type { Entry, PolicyDef, PolicyFile } from '../policy/model.js';
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
  if (!file.top) return { categories: null, origins: new Map() };
  const local = new Map(file.defs.map((d) => [d.name, d]));
  const categories = new Set<string>();
  const origins = new Map<string, string[]>();
  const seen = new Set<string>();
  const note = (syscall: string, label: string) => {
    const list = origins.get(syscall) ?? [];
    if (!list.includes(label)) list.push(label);
    origins.set(syscall, list);
  };
  // `via` is the first catalog category on the path from the top level (or the local POLICY when none).
  // An explicit stack, not recursion: USE chains may be long.
  const stack: { body: readonly Entry[]; label: string | null; via: string | null }[] = [{ body: file.top.body, label: null, via: null }];
  while (stack.length > 0) {
    const { body, label, via } = stack.pop()!;
    for (const entry of [...body].reverse()) {
      if (entry.kind === 'block') {
        if (label === null || !permits(entry.action)) continue;
        for (const rule of entry.rules) note(rule.syscall, label);
        continue;
      }
      const name = entry.name;
      if (seen.has(name)) continue;
      const def = local.get(name) ?? catalog.get(name);
      if (!def) continue;
      seen.add(name);
      if (via === null && !local.has(name)) categories.add(name);
      const origin = via ?? (local.has(name) ? null : name);
      stack.push({ body: def.body, label: origin ?? name, via: origin });
    }
  }
  return { categories: [...categories].sort(), origins };
}

export function diffCategories(
  before: readonly string[] | null,
  after: readonly string[] | null,
): { added: string[]; removed: string[] } | null {
  if (before === null || after === null) return null;
  return { added: after.filter((c) => !before.includes(c)).sort(), removed: before.filter((c) => !after.includes(c)).sort() };
}
