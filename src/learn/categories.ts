import type { Arch } from '../abi/arch.js';
import { categorySyscalls, type Catalog } from '../catalog/catalogs.js';
import type { Category } from './types.js';

/** A catalog's categories as the learner sees them, for the given arches. */
export function catalogCategories(catalog: Catalog, arches: readonly Arch[]): Category[] {
  return [...catalog.defs.keys()].map((name) => ({
    name,
    syscalls: new Map(arches.map((arch) => [arch, categorySyscalls(catalog, name, arch)] as const)),
  }));
}
