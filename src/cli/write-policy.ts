// The end of every learning command: the profile's observations → the least-category policy → the files
// users deploy (--format), written to --out. Shared by `learn -- CMD`, `learn from-audit` and `learn policy`.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Arch } from '../abi/arch.js';
import { catalogNamedIn, loadCatalog, type Catalog } from '../catalog/catalogs.js';
import { systemdGroupName } from '../catalog/systemd-names.js';
import { UsageError } from '../errors.js';
import { checkOutputDir, writeFilesAtomically, type OutputFile } from '../os/atomic-write.js';
import { catalogCategories } from '../learn/categories.js';
import { constantName } from '../learn/constants.js';
import { firstMatchPermits } from '../learn/first-match.js';
import { learnPolicy, type LearnResult } from '../learn/learn-policy.js';
import { toObservedShapes } from '../learn/observations.js';
import type { ObservedShape } from '../learn/types.js';
import { compilePolicy } from '../bpf/compile.js';
import { encodeProgram } from '../bpf/encode.js';
import { renderText } from '../diff/render-text.js';
import { diffPolicies } from '../diff/semantic.js';
import { hasDrift } from '../diff/model.js';
import { sideFromPolicyFile, sideFromPolicyText } from '../diff/sides.js';
import type { Diagnostic, Emitted } from '../policy/emit/emitted.js';
import { emitFirejail } from '../policy/emit/firejail.js';
import { emitJson } from '../policy/emit/json.js';
import { printPolicy } from '../policy/emit/kafel.js';
import { emitK8s } from '../policy/emit/k8s.js';
import { emitOci, ociSeccomp, type FilterFlag, type OciOptions } from '../policy/emit/oci.js';
import { emitSystemd } from '../policy/emit/systemd.js';
import { usesOf, type PolicyDef } from '../policy/model.js';
import { resolvePolicy } from '../policy/resolve.js';
import type { ResolvedPolicy } from '../policy/resolved.js';
import { checkProfileName } from '../store/profile-name.js';
import { listRuns, profileObservations, runObservations, type RunRow } from '../store/queries.js';
import { runtimeCalls } from '../container/runtime-calls.js';
import { runtimeDef, withRuntimeBlocks } from '../learn/runtime-block.js';
import { RUNTIMES, setupCallsFirst } from '../trace/container-split.js';
import { ARG_SENSITIVE, parseShapeKey } from '../trace/arg-values.js';
import { painter } from './color.js';
import type { Io } from './io.js';
import { type PolicyFormat, type PolicyOutputOptions } from './policy-formats.js';
import { VERSION } from './version.js';

const EXTENSION: Readonly<Record<PolicyFormat, string>> = {
  kafel: 'policy', bpf: 'bpf', oci: 'oci.json', k8s: 'k8s.yaml', systemd: 'systemd.conf', firejail: 'firejail', json: 'json',
};
/** Formats a container runtime loads: they get the runtimes' after-filter calls unless --runtime says otherwise. */
const CONTAINER_FORMATS: readonly PolicyFormat[] = ['oci', 'k8s'];

const DENIALS_ONLY = 'WARNING: learned from denials alone (audit records or replay\'s denied calls), no trace: it lacks every call that was allowed then, so it will not run the program as it is';

export interface WrittenPolicy {
  readonly files: readonly string[];
  readonly losses: readonly { readonly format: PolicyFormat; readonly loss: Diagnostic }[];
  readonly learned: LearnResult;
}

/** How a profile's policy is learned: `learn policy`'s options apart from where and in which formats it goes. */
export type LearnOptions = Omit<PolicyOutputOptions, 'outDir'>;

/** Learns `profile`'s policy from the store, with the header every written format carries. */
export function learnProfile(db: Database, profile: string, options: LearnOptions, io: Io): EmitInput {
  checkProfileName(profile); // a store written by an older learn may hold any name
  const catalog = loadCatalog(options.catalog);
  const runs = listRuns(db, profile);
  if (runs.length === 0) throw new UsageError(`no profile named '${profile}' in the store`, { hint: 'list profiles with `learn runs`' });
  const { shapes, unknown } = toObservedShapes(profileObservations(db, profile), parseShapeKey, ARG_SENSITIVE);
  for (const row of unknown) io.err(`learn: warning: ${row.arch} syscall ${row.name} (nr ${row.nr}) is not in our tables; left out of the policy\n`);
  const arches = [...new Set(shapes.map((s) => s.arch))].sort() as Arch[];
  // Audit records and replay's denied calls name only what a filter stopped: every allowed call is missing.
  const deniedOnly = runs.every((r) => r.source === 'audit');
  if (deniedOnly) io.err(`learn: warning: '${profile}' has only denied calls (audit records or a replay's), no trace: the policy lacks every call the program made that was allowed\n`);
  const header = [
    `seccomp-learn ${VERSION}: learned policy for profile '${profile}'`,
    `runs: ${runs.map((r) => r.id).join(', ')}; events: ${runs.reduce((n, r) => n + r.events, 0)}; catalog: ${catalog.name}` +
      `; level: ${options.level}${options.maxExcess === undefined ? '' : `; --max-excess ${options.maxExcess}`}`,
    `date: ${options.now.toISOString()}`,
    ...(deniedOnly ? [DENIALS_ONLY] : []),
  ];
  const containerRuns = runs.filter((r) => r.containerSplit !== null);
  if (containerRuns.length > 0) header.push(containerHeader(db, profile, containerRuns));
  const base = learnPolicy(shapes, catalogCategories(catalog, arches), {
    profile, defaultAction: options.defaultAction, level: options.level, maxExcess: options.maxExcess, header, answerFallbacks: true,
    permits: firstMatchPermits(catalog, `${profile}.policy`),
  });
  const blocks = runtimeBlocks(db, runs, options);
  const learned: LearnResult = { ...base, policy: withRuntimeBlocks(base.policy, blocks) };
  const resolved = arches.map((arch) => resolvePolicy(learned.policy, arch, { catalog, fileName: `${profile}.policy` }));
  const native = resolved.find((r) => r.arch === nativeArch(shapes)) ?? resolved[0]!;
  // A service or a firejail sandbox runs the program on the host: no runtime's init runs under its filter.
  const host = blocks.length === 0 ? native : resolvePolicy(base.policy, native.arch, { catalog, fileName: `${profile}.policy` });
  return { learned, resolved, native, host, catalog, header, profile, shapes, filterFlags: options.filterFlags };
}

/** Learns `profile`'s policy from the store and writes one file per format; says on stderr what it wrote. */
export function writePolicyOutputs(db: Database, profile: string, options: PolicyOutputOptions, io: Io): WrittenPolicy {
  const input = learnProfile(db, profile, options, io);
  const { learned, native, catalog } = input;
  const outDir = resolve(io.cwd, options.outDir);
  checkOutputDir(outDir);
  const previous = readPrevious(join(outDir, `${fileStem(profile)}.${EXTENSION.kafel}`));
  const outputs: OutputFile[] = [];
  const losses: WrittenPolicy['losses'][number][] = [];
  // The k8s file points at the OCI JSON as the Localhost profile: write it too.
  const formats = options.formats.includes('k8s') && !options.formats.includes('oci') ? [...options.formats, 'oci' as const] : options.formats;
  for (const format of formats) {
    const out = emit(format, input);
    outputs.push({ path: join(outDir, `${fileStem(profile)}.${EXTENSION[format]}`), data: out.data });
    losses.push(...out.losses.map((loss) => ({ format, loss })));
  }
  // Every format of the policy changes, or none does (a full disk leaves the previous files as they were).
  writeFilesAtomically(outputs, { followSymlinks: options.followSymlinks });
  const files = outputs.map((o) => o.path);
  for (const { format, loss } of losses) io.err(`learn: ${format}: ${loss.message}\n`);
  const hostFormats = formats.filter((f) => f === 'systemd' || f === 'firejail');
  if (hostFormats.length > 0 && input.host !== native) {
    io.err(`learn: ${hostFormats.join(', ')}: without the *_after_filter blocks (a container runtime's calls; only the OCI and k8s outputs need them)\n`);
  }
  io.err(`learn: policy for '${profile}': ${usesOf(learned.policy.top!.body).join(', ')}; wrote ${files.join(', ')}\n`);
  if (previous !== null) reportChange(previous, learned, native.arch, catalog, io);
  return { files, losses, learned };
}

/** The runtimes whose after-filter calls go in: --runtime, else the container runs' runtimes, else every
 * measured runtime when a container format is written. */
function runtimeBlocks(db: Database, runs: readonly RunRow[], options: LearnOptions): PolicyDef[] {
  const fromRuns = [...new Set(runs.flatMap((r) => (r.containerSplit !== null && r.containerRuntime !== null ? [r.containerRuntime] : [])))];
  const wanted = options.runtimes ??
    (fromRuns.length > 0 ? fromRuns : options.formats.some((f) => CONTAINER_FORMATS.includes(f)) ? RUNTIMES.filter((r) => runtimeCalls(r) !== undefined) : []);
  return wanted.map((runtime) => runtimeDef({
    runtime,
    measured: runtimeCalls(runtime),
    observed: [...new Set(runs.filter((r) => r.containerRuntime === runtime)
      .flatMap((r) => runObservations(db, r.id, 'runtime').map((o) => o.name)))],
  }));
}

/** Says that the policy covers the container only, and what of the runtime's setup it left out. */
function containerHeader(db: Database, profile: string, runs: readonly RunRow[]): string {
  const inside = new Set(profileObservations(db, profile).map((o) => o.name));
  const setup = [...new Set(profileObservations(db, profile, 'host').map((o) => o.name))].filter((n) => !inside.has(n));
  const how = [...new Set(runs.map((r) => `${r.containerRuntime ?? 'runtime'}, split at ${r.containerSplit === 'filter' ? 'its filter load' : 'the entrypoint\'s execve'}`))];
  return `container runs ${runs.map((r) => r.id).join(', ')} (${how.join('; ')}): learned from the container's calls; ` +
    `${setup.length} syscalls of the runtime's setup left out${setup.length > 0 ? ` (${setupCallsFirst(setup).slice(0, 8).join(', ')}${setup.length > 8 ? ', …' : ''})` : ''}`;
}

function fileStem(profile: string): string {
  return profile.replace(/[/\\]/g, '_');
}

function readPrevious(file: string): { file: string; text: string } | null {
  return existsSync(file) ? { file, text: readFileSync(file, 'utf8') } : null;
}

/** What the new policy allows beyond (or no longer allows) the one it replaces, so a rerun shows its drift. */
function reportChange(previous: { file: string; text: string }, learned: LearnResult, arch: Arch, catalog: Catalog, io: Io): void {
  let oldSide;
  try {
    // The previous policy may have been learned with another catalog; its header names it.
    const named = catalogNamedIn(previous.text);
    const oldCatalog = named === undefined || named === catalog.name ? catalog : loadCatalog(named);
    oldSide = sideFromPolicyText(previous.text, previous.file, arch, oldCatalog, 'previous policy');
  } catch (error) {
    io.err(`learn: the previous ${previous.file} could not be read for comparison (${(error as Error).message})\n`);
    return;
  }
  const diff = diffPolicies(oldSide, sideFromPolicyFile(learned.policy, previous.file, arch, catalog, 'new policy'));
  io.err(hasDrift(diff) ? `learn: changes against the previous policy:\n${renderText(diff, painter(io.color))}` : 'learn: no change against the previous policy\n');
}

export interface EmitInput {
  readonly learned: LearnResult;
  readonly resolved: readonly ResolvedPolicy[];
  readonly native: ResolvedPolicy;
  /** `native` without the runtime blocks: what host formats (systemd, firejail) carry. */
  readonly host: ResolvedPolicy;
  readonly catalog: Catalog;
  readonly header: readonly string[];
  readonly profile: string;
  readonly shapes: readonly ObservedShape[];
  readonly filterFlags: readonly FilterFlag[];
}

/** The file `learn policy` writes in `format`. */
export function emit(format: PolicyFormat, x: EmitInput): { data: string | Uint8Array; losses: readonly Diagnostic[] } {
  const text = ({ text, losses }: Emitted) => ({ data: text, losses });
  switch (format) {
    case 'kafel':
      return { data: printPolicy(x.learned.policy, { constantName }), losses: [] };
    case 'bpf':
      return { data: encodeProgram(compilePolicy(x.native, { weights: callWeights(x.shapes, x.native.arch) }).program), losses: [] };
    case 'oci':
      return text(emitOci(x.native, ociOptions(x)));
    case 'k8s': {
      const { seccomp, losses } = ociSeccomp(x.native, ociOptions(x));
      const k8s = emitK8s(seccomp, { profile: x.profile, ociFile: `${fileStem(x.profile)}.${EXTENSION.oci}`, header: x.header.slice(0, 1) });
      return { data: k8s.text, losses: [...losses, ...k8s.losses] };
    }
    case 'systemd': {
      const groups = catalogCategories(loadCatalog('systemd'), [x.native.arch]).map((g) => ({ ...g, name: systemdGroupName(g.name) }));
      const implicit = groups.find((g) => g.name === '@default');
      const extraArches = x.resolved.map((r) => r.arch).filter((a) => a !== x.native.arch);
      return text(emitSystemd(x.host, { groups, header: x.header, extraArches, ...(implicit ? { implicit } : {}) }));
    }
    case 'firejail':
      return text(emitFirejail(x.host, x.header));
    case 'json':
      return text(emitJson({
        tool: 'seccomp-learn', version: VERSION, profile: x.profile, catalog: x.catalog.name,
        policy: x.learned.policy, resolved: x.resolved, explanation: x.learned.explanation,
      }));
  }
}

/** The arches the profile made calls on, and no others: a call from another ABI meets libseccomp's bad-arch kill, as in the .policy. */
function ociOptions(x: EmitInput): OciOptions {
  return { subArchitectures: false, extraArches: x.resolved.map((r) => r.arch), flags: x.filterFlags };
}

/** Calls per syscall number on `arch`: the compiler gives frequent syscalls the shorter paths. */
function callWeights(shapes: readonly ObservedShape[], arch: Arch): Map<number, number> {
  const weights = new Map<number, number>();
  for (const s of shapes) if (s.arch === arch) weights.set(s.nr, (weights.get(s.nr) ?? 0) + s.count);
  return weights;
}

/** The arch most calls were made on: the one deployable formats describe. */
function nativeArch(shapes: readonly ObservedShape[]): Arch {
  const calls = new Map<Arch, number>();
  for (const s of shapes) calls.set(s.arch, (calls.get(s.arch) ?? 0) + s.count);
  return [...calls].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}
