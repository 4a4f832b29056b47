// The recorders behind `learn -- CMD` and `learn --attach PID`: strace (ptrace, every call as text; it lives
// in trace/run-strace.ts and trace/assemble.ts) and ebpf (kernel counts per program, record/ebpf/). Like the
// audit importer, both end in the same store rows; what the trace command needs from either while the
// program runs is this.
export const RECORDERS = ['auto', 'ebpf', 'strace'] as const;
export type RecorderChoice = (typeof RECORDERS)[number];
export type RecorderKind = Exclude<RecorderChoice, 'auto'>;

export interface RecordSession {
  /** The recorder's own pid. */
  readonly pid: number;
  /** Asks the program to stop with `signal`; an attached process is left running and the recorder detaches. */
  stop(signal: NodeJS.Signals): void;
  /** SIGKILLs every recorded process; the recorder then ends. */
  kill(): void;
  /** Kills the recording and cleans up, for a caller that cannot follow it after all. */
  abandon(): Promise<void>;
}

export function isRecorderChoice(text: string): text is RecorderChoice {
  return (RECORDERS as readonly string[]).includes(text);
}
