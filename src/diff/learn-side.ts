// A diff side learned from observations (a stored profile, or the run `diff --baseline` just traced).
import type { Arch } from '../abi/arch.js';
import type { Catalog } from '../catalog/catalogs.js';
import { catalogCategories } from '../learn/categories.js';
import { firstMatchPermits } from '../learn/first-match.js';
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
  o: {
    readonly profile: string; readonly defaultAction: Action; readonly label: string; readonly header?: readonly string[];
    /** What was really observed, when `shapes` also holds assumed ones (default: `shapes`). */
    readonly observed?: readonly ObservedShape[];
  },
): LearnedSide {
  const { policy } = learnPolicy(shapes, catalogCategories(catalog, [arch]), {
    profile: o.profile,
    defaultAction: o.defaultAction,
    answerFallbacks: true,
    permits: firstMatchPermits(catalog, `${o.profile}.policy`),
    ...(o.header === undefined ? {} : { header: o.header }),
  });
  const side = sideFromPolicyFile(policy, `${o.profile}.policy`, arch, catalog, o.label);
  return { side: { ...side, source: null, observed: observedCounts(o.observed ?? shapes, arch) }, policy };
}

/** Calls per syscall name on `arch`. */
export function observedCounts(shapes: readonly ObservedShape[], arch: Arch): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of shapes) if (s.arch === arch) out.set(s.name, (out.get(s.name) ?? 0) + s.count);
  return out;
}
