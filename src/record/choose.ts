// Pure: which recorder a trace uses, and the one line that says why.
import { EnvironmentError } from '../errors.js';
import type { RecorderChoice, RecorderKind } from './recorder.js';

export interface Choice {
  readonly kind: RecorderKind;
  /** Why this one, for the line `auto` prints; for a choice the user made, null. */
  readonly why: string | null;
}

export interface ChoiceNeeds {
  /** `--record-events`: one row per call, which only strace sees. */
  readonly everyCall: boolean;
  /** The command runs a container runtime, whose calls are split where its init loads the filter: only
   * strace sees that call's arguments and the order around it. */
  readonly containerRuntime: boolean;
}

/** `unmet` is the eBPF recorder's first unmet precondition on this machine (null: it can run). */
export function chooseRecorder(choice: RecorderChoice, unmet: string | null, needs: ChoiceNeeds): Choice {
  const blocker = needs.everyCall ? '--record-events stores every call, which only strace sees'
    : needs.containerRuntime ? 'a container runtime\'s calls are told apart from the container\'s in strace\'s trace' : unmet;
  switch (choice) {
    case 'strace':
      return { kind: 'strace', why: null };
    case 'ebpf':
      if (blocker !== null) throw new EnvironmentError(`--recorder ebpf cannot run: ${blocker}`, { hint: 'use --recorder strace (or auto)' });
      return { kind: 'ebpf', why: null };
    case 'auto':
      return blocker === null ? { kind: 'ebpf', why: 'the kernel can run it' } : { kind: 'strace', why: blocker };
  }
}

/** The line `auto` prints. */
export function choiceLine(c: Choice): string {
  return c.kind === 'ebpf' ? `learn: recording with eBPF (${c.why ?? 'asked for'})\n` : `learn: recording with strace: ${c.why ?? 'asked for'}\n`;
}
