import type { Arch } from '../abi/arch.js';
import { categorySyscalls, type Catalog } from '../catalog/catalogs.js';
import { blocksOf, usesOf } from '../policy/model.js';
import type { Category } from './types.js';

/** A catalog's categories as the learner sees them, for the given arches. */
export function catalogCategories(catalog: Catalog, arches: readonly Arch[]): Category[] {
  return [...catalog.defs.values()].map((def) => ({
    name: def.name,
    syscalls: new Map(arches.map((arch) => [arch, categorySyscalls(catalog, def.name, arch)] as const)),
    ...(blocksOf(def.body).length === 0 && usesOf(def.body).length > 0 ? { parts: usesOf(def.body) } : {}),
  }));
}
