// A diff side learned from observations (a stored profile, or the run `diff --baseline` just traced).
import type { Arch } from '../abi/arch.js';
import type { Catalog } from '../catalog/catalogs.js';
import { catalogCategories } from '../learn/categories.js';
import { learnPolicy } from '../learn/learn-policy.js';
import type { ObservedShape } from '../learn/types.js';
import type { Action, PolicyFile } from '../policy/model.js';
import type { DiffSide } from './model.js';
import { sideFromPolicyFile } from './sides.js';

export interface LearnedSide {
  readonly side: DiffSide;
  /** The learned policy, for `--update` to write. */
  readonly policy: PolicyFile;
}

export function learnedSide(
  shapes: readonly ObservedShape[],
  catalog: Catalog,
  arch: Arch,
  o: { readonly profile: string; readonly defaultAction: Action; readonly label: string; readonly header?: readonly string[] },
): LearnedSide {
  const { policy } = learnPolicy(shapes, catalogCategories(catalog, [arch]), {
    profile: o.profile,
    defaultAction: o.defaultAction,
    ...(o.header === undefined ? {} : { header: o.header }),
  });
  const side = sideFromPolicyFile(policy, `${o.profile}.policy`, arch, catalog, o.label);
  return { side: { ...side, source: null }, policy };
}
