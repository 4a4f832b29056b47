// EDGE: reads one diff input — a policy file in our language, an OCI JSON file, or a profile in the store
// (profile-side.ts, loaded only for one: the store and the learner are not needed to read a file).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Arch } from '../abi/arch.js';
import { catalogForPolicy, loadCatalog, type Catalog } from '../catalog/catalogs.js';
import { includeFromFiles } from '../catalog/include-files.js';
import { parsePolicy } from '../catalog/parser.js';
import { UsageError } from '../errors.js';
import type { Action } from '../policy/model.js';
import type { DiffSide } from './model.js';
import { looksLikeSeccompProfile } from '../policy/parse-k8s.js';
import { looksLikeJson, sideFromOciText, sideFromPolicyFile, sideFromSeccompProfileText } from './sides.js';

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

export async function readSide(spec: string, ctx: ReadContext): Promise<{ side: DiffSide; kind: InputKind }> {
  const path = resolve(ctx.cwd, spec);
  if (existsSync(path)) {
    if (!statSync(path).isFile()) throw new UsageError(`${spec} is not a file`);
    const text = readFileSync(path, 'utf8');
    if (looksLikeSeccompProfile(text)) return { side: sideFromSeccompProfileText(text, spec, ctx.arch), kind: 'oci' };
    if (looksLikeJson(text)) return { side: sideFromOciText(text, spec, ctx.arch), kind: 'oci' };
    const parsed = parsePolicy(text, spec, { arch: ctx.arch, include: includeFromFiles([], ctx.cwd) });
    const catalog = catalogForPolicy(ctx.catalog, text);
    return { side: sideFromPolicyFile(parsed, spec, ctx.arch, catalog), kind: 'policy' };
  }
  if (/[/\\]|\.(policy|json|ya?ml)$/.test(spec)) throw new UsageError(`cannot read ${spec}: no such file`);
  const { profileSide } = await import('./profile-side.js');
  return { side: profileSide(spec, ctx), kind: 'profile' };
}

export function catalogFor(ctx: ReadContext): Catalog {
  return loadCatalog(ctx.catalog ?? 'default');
}
