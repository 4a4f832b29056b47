// The learner's `permits` check (LearnOptions.permits): a learned policy resolved as written, judged call by
// call in first-match order, a recorded clone3 call also by its fallback to clone.
import type { Arch } from '../abi/arch.js';
import type { Catalog } from '../catalog/catalogs.js';
import { permits } from '../diff/compare-syscall.js';
import { decide } from '../policy/eval.js';
import type { PolicyFile } from '../policy/model.js';
import { resolvePolicy } from '../policy/resolve.js';
import type { ResolvedPolicy } from '../policy/resolved.js';
import { registerValues } from '../trace/arg-values.js';
import { answerOf, fallbackLetsThrough } from './clone3-fallback.js';
import type { ObservedShape } from './types.js';

/** Whether a resolved policy lets a recorded call run (an unrecorded value is taken as 0). */
export function letsRun(policy: ResolvedPolicy, shape: ObservedShape): boolean {
  const args = (registerValues(shape.name, shape.values) ?? []).map((v) => v ?? 0n);
  return permits(decide(policy, shape.nr, args)) || fallbackLetsThrough(shape, answerOf(policy));
}

export function firstMatchPermits(catalog: Catalog, fileName: string): (policy: PolicyFile, shapes: readonly ObservedShape[]) => boolean[] {
  return (policy, shapes) => {
    const byArch = new Map<Arch, ResolvedPolicy>();
    const resolved = (arch: Arch): ResolvedPolicy => byArch.get(arch) ?? byArch.set(arch, resolvePolicy(policy, arch, { catalog, fileName })).get(arch)!;
    return shapes.map((s) => letsRun(resolved(s.arch), s));
  };
}
