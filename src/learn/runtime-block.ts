// The runtime block of a container profile: the calls an OCI runtime's init makes after it loaded the
// container's filter (measured per runtime, plus any a traced run showed), as a POLICY of its own that says
// where its names come from.
import type { RuntimeCalls } from '../container/runtime-calls.js';
import { bodyOf, type Entry, type PolicyDef, type PolicyFile } from '../policy/model.js';
import type { RuntimeName } from '../trace/container-split.js';

export interface RuntimeBlockInput {
  readonly runtime: RuntimeName;
  /** The measured data, when the runtime was measured. */
  readonly measured: RuntimeCalls | undefined;
  /** Calls of the 'runtime' phase in this profile's runs of that runtime. */
  readonly observed: readonly string[];
}

export function runtimeBlockName(runtime: RuntimeName): string {
  return `${runtime}_after_filter`;
}

export function runtimeDef(input: RuntimeBlockInput): PolicyDef {
  const { runtime, measured, observed } = input;
  const names = [...new Set([...(measured?.syscalls ?? []), ...observed])].sort();
  const extra = observed.filter((n) => !(measured?.syscalls ?? []).includes(n)).sort();
  return {
    name: runtimeBlockName(runtime),
    body: bodyOf([], [{ action: { kind: 'allow' }, rules: names.map((syscall) => ({ syscall, params: [], when: null })) }]),
    doc: [
      `What ${runtime}'s init does after loading the container's filter and before the entrypoint runs`,
      `(its own calls up to and including execve of the entrypoint): without them the container dies at start.`,
      measured === undefined
        ? `${runtime} was never measured (policies/runtimes/${runtime}.json is missing): only the calls seen in this profile's runs.`
        : `Measured on ${measured.version}, ${measured.measured} (policies/runtimes/${runtime}.json).`,
      ...(extra.length > 0 ? [`Seen in this profile's runs beyond the measurement: ${extra.join(', ')}.`] : []),
    ],
  };
}

/** The policy with the runtime blocks added and USEd after its other entries (a block already there is replaced). */
export function withRuntimeBlocks(policy: PolicyFile, blocks: readonly PolicyDef[]): PolicyFile {
  if (blocks.length === 0 || policy.top === null) return policy;
  const names = new Set(blocks.map((b) => b.name));
  const kept = policy.top.body.filter((e) => e.kind !== 'use' || !names.has(e.name));
  return {
    ...policy,
    defs: [...policy.defs.filter((d) => !names.has(d.name)), ...blocks],
    top: { ...policy.top, body: [...kept, ...[...names].map((name): Entry => ({ kind: 'use', name }))] },
  };
}
