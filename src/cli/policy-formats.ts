// The policy output formats and options, apart from the writer so option parsing loads no emitter.
import { UsageError } from '../errors.js';
import type { ProfileLevel } from '../learn/cost.js';
import type { Action } from '../policy/model.js';
import type { FilterFlag } from '../policy/emit/oci.js';
import type { RuntimeName } from '../trace/container-split.js';

export const POLICY_FORMATS = ['kafel', 'bpf', 'oci', 'k8s', 'systemd', 'firejail', 'json'] as const;
export type PolicyFormat = (typeof POLICY_FORMATS)[number];
export const DEFAULT_FORMATS: readonly PolicyFormat[] = ['kafel', 'bpf'];

export interface PolicyOutputOptions {
  /** Relative to io.cwd. */
  readonly outDir: string;
  readonly formats: readonly PolicyFormat[];
  /** Built-in catalog name or path to a .policy file. */
  readonly catalog: string;
  readonly level: ProfileLevel;
  readonly maxExcess: number | undefined;
  readonly defaultAction: Action;
  /** Runtimes whose after-filter calls the policy allows (a block each); null: those of the profile's
   * container runs, or every measured runtime when a container format (oci, k8s) is written. */
  readonly runtimes: readonly RuntimeName[] | null;
  /** `flags` of the OCI and k8s output. */
  readonly filterFlags: readonly FilterFlag[];
  /** Written into the header; passed in so output stays reproducible in tests. */
  readonly now: Date;
  /** Write to the file a symbolic link at an output path points to, instead of refusing. */
  readonly followSymlinks: boolean;
}

/** `--format kafel,oci`: checked against the formats we can write. */
export function parseFormats(value: string): PolicyFormat[] {
  const formats = value.split(',').map((f) => f.trim()).filter((f) => f !== '');
  for (const f of formats) {
    if (!(POLICY_FORMATS as readonly string[]).includes(f)) {
      throw new UsageError(`unknown format '${f}': use a comma-separated list of ${POLICY_FORMATS.join(', ')}`);
    }
  }
  if (formats.length === 0) throw new UsageError('--format needs at least one format');
  return [...new Set(formats)] as PolicyFormat[];
}

/** `--filter-flags log,spec-allow`. */
export function parseFilterFlags(value: string): FilterFlag[] {
  const known: readonly string[] = ['log', 'spec-allow'];
  const flags = value.split(',').map((f) => f.trim()).filter((f) => f !== '');
  for (const f of flags) if (!known.includes(f)) throw new UsageError(`unknown filter flag '${f}': use log, spec-allow`);
  return [...new Set(flags)] as FilterFlag[];
}
