// The policy output formats and options, apart from the writer so option parsing loads no emitter.
import { UsageError } from '../errors.js';
import type { ProfileLevel } from '../learn/cost.js';
import type { Action } from '../policy/model.js';

export const POLICY_FORMATS = ['kafel', 'bpf', 'oci', 'systemd', 'firejail', 'json'] as const;
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
  /** Written into the header; passed in so output stays reproducible in tests. */
  readonly now: Date;
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
