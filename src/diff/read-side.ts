// EDGE: reads one diff input — a policy file in our language, an OCI JSON file, or a profile in the store.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Arch } from '../abi/arch.js';
import { catalogForPolicy, loadCatalog, type Catalog } from '../catalog/catalogs.js';
import { parsePolicy } from '../catalog/parser.js';
import { UsageError } from '../errors.js';
import { toObservedShapes } from '../learn/observations.js';
import type { Action } from '../policy/model.js';
import { openStore, resolveDbPath, storeExists } from '../store/open.js';
import { listRuns, profileObservations } from '../store/queries.js';
import { ARG_SENSITIVE, parseShapeKey } from '../trace/arg-values.js';
import { learnedSide } from './learn-side.js';
import type { DiffSide } from './model.js';
import { looksLikeJson, sideFromOciText, sideFromPolicyFile } from './sides.js';

export interface ReadContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly arch: Arch;
  /** --catalog; when absent, a policy's own `catalog: NAME` header line, else `default`. */
  readonly catalog: string | undefined;
  readonly db: string | undefined;
  /** Default action of policies learned from profiles. */
  readonly defaultAction: Action;
}

export type InputKind = 'policy' | 'oci' | 'profile';

export function readSide(spec: string, ctx: ReadContext): { side: DiffSide; kind: InputKind } {
  const path = resolve(ctx.cwd, spec);
  if (existsSync(path)) {
    if (!statSync(path).isFile()) throw new UsageError(`${spec} is not a file`);
    const text = readFileSync(path, 'utf8');
    if (looksLikeJson(text)) return { side: sideFromOciText(text, spec, ctx.arch), kind: 'oci' };
    const parsed = parsePolicy(text, spec, { arch: ctx.arch });
    const catalog = catalogForPolicy(ctx.catalog, text);
    return { side: sideFromPolicyFile(parsed, spec, ctx.arch, catalog), kind: 'policy' };
  }
  if (/[/\\]|\.(policy|json)$/.test(spec)) throw new UsageError(`cannot read ${spec}: no such file`);
  return { side: profileSide(spec, ctx), kind: 'profile' };
}

export function catalogFor(ctx: ReadContext): Catalog {
  return loadCatalog(ctx.catalog ?? 'default');
}

function profileSide(name: string, ctx: ReadContext): DiffSide {
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
