// EDGE: a diff side learned from a profile in the store.
import { toObservedShapes } from '../learn/observations.js';
import { openStore, storeExists } from '../store/open.js';
import { resolveDbPath } from '../store/path.js';
import { listRuns, profileObservations } from '../store/queries.js';
import { ARG_SENSITIVE, parseShapeKey } from '../trace/arg-values.js';
import { UsageError } from '../errors.js';
import { learnedSide } from './learn-side.js';
import type { DiffSide } from './model.js';
import { catalogFor, type ReadContext } from './read-side.js';

export function profileSide(name: string, ctx: ReadContext): DiffSide {
  const path = resolveDbPath(ctx.db, ctx.env, ctx.cwd);
  const hint = { hint: 'give a policy file, an OCI .json file, or a profile name from `learn runs` (with --db)' };
  if (!storeExists(path)) throw new UsageError(`'${name}' is not a file, and there is no store at ${path} to find a profile in`, hint);
  const store = openStore(path);
  try {
    if (listRuns(store.db, name).length === 0) throw new UsageError(`'${name}' is neither a file nor a profile in ${path}`, hint);
    const { shapes } = toObservedShapes(profileObservations(store.db, name), parseShapeKey, ARG_SENSITIVE);
    const native = shapes.filter((s) => s.arch === ctx.arch);
    if (native.length === 0) throw new UsageError(`profile '${name}' has no ${ctx.arch} calls`, { hint: 'choose the arch with --arch' });
    return learnedSide(native, catalogFor(ctx), ctx.arch, { profile: name, defaultAction: ctx.defaultAction, label: `profile:${name}` }).side;
  } finally {
    store.close();
  }
}
