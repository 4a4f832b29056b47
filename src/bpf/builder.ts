// A forward-only assembler with symbolic labels. Conditional jumps take label targets; offsets are
// resolved at the end, and a branch farther than 255 instructions gets a trampoline right after the jump
// (a copy of the target's `ret`, or a `ja`). The builder also tracks what the accumulator holds, so code
// generators can skip reloading a word that is already in A on every path to the current point.
import { BpfError } from './error.js';
import {
  BPF_ABS, BPF_ALU, BPF_AND, BPF_JA, BPF_JMP, BPF_LD, BPF_LDX, BPF_MISC, BPF_ST, BPF_STX, BPF_TAX, BPF_W,
  MAX_COND_OFFSET, bpfClass,
  endsFlow, isReturn, jump, stmt, type Insn,
} from './insn.js';
import { BPF_MAXINSNS } from '../abi/seccomp.js';

export interface Label {
  readonly id: number;
  readonly name: string;
}

/** What A holds: `(word at offset) & mask`, or unknown. */
export type AccState = { readonly offset: number; readonly mask: number } | null;

type Item =
  | { readonly kind: 'insn'; readonly insn: Insn }
  | { readonly kind: 'cond'; readonly code: number; readonly k: number; readonly t: Label; readonly f: Label }
  | { readonly kind: 'ja'; readonly target: Label }
  | { readonly kind: 'label'; readonly label: Label };

export interface BuildResult {
  readonly insns: readonly Insn[];
  /** Trampoline instructions added for branches beyond 255. */
  readonly trampolines: number;
}

const FULL = 0xffffffff;

function sameAcc(a: AccState, b: AccState): boolean {
  return a === b || (a !== null && b !== null && a.offset === b.offset && a.mask === b.mask);
}

export class ProgramBuilder {
  private readonly items: Item[] = [];
  private readonly placed = new Set<number>();
  private readonly incoming = new Map<number, AccState[]>();
  private nextId = 0;
  /** undefined: the previous instruction ends the flow (ret/jump), so the next one needs a label. */
  private state: AccState | undefined = null;

  /** What A holds at the current point (null if unknown or unreachable). */
  get acc(): AccState {
    return this.state ?? null;
  }

  newLabel(name: string): Label {
    return { id: this.nextId++, name };
  }

  place(label: Label): void {
    if (this.placed.has(label.id)) throw new BpfError('label', -1, `label ${label.name} placed twice`);
    this.placed.add(label.id);
    const states = [...(this.incoming.get(label.id) ?? [])];
    if (this.state !== undefined) states.push(this.state);
    this.state = states.length > 0 && states.every((s) => sameAcc(s, states[0] ?? null)) ? (states[0] ?? null) : null;
    this.items.push({ kind: 'label', label });
  }

  /** Appends a non-jump instruction. */
  emit(insn: Insn): void {
    if (bpfClass(insn.code) === BPF_JMP) throw new BpfError('label', -1, 'use jumpIf/jumpTo for jumps');
    this.items.push({ kind: 'insn', insn });
    this.state = isReturn(insn) ? undefined : this.afterStmt(insn);
  }

  /** `A <- word at offset`, unless A already holds it unmasked. */
  load(offset: number): void {
    if (sameAcc(this.acc, { offset, mask: FULL })) return;
    this.emit(stmt(BPF_LD | BPF_W | BPF_ABS, offset));
  }

  /** `A <- (word at offset) & mask`, reusing A when it already holds the word (or a wider mask of it). */
  loadMasked(offset: number, mask: number): void {
    const m = mask >>> 0;
    const acc = this.acc;
    if (acc !== null && acc.offset === offset && acc.mask === m) return;
    if (acc === null || acc.offset !== offset || (m & ~acc.mask) !== 0) this.load(offset);
    if (m !== FULL) this.emit(stmt(BPF_ALU | BPF_AND | BPF_W, m));
  }

  /** Conditional jump (JEQ/JGT/JGE/JSET with K or X); flow continues only at labels. */
  jumpIf(code: number, k: number, t: Label, f: Label): void {
    this.refer(t);
    this.refer(f);
    this.items.push({ kind: 'cond', code, k: k >>> 0, t, f });
    this.state = undefined;
  }

  jumpTo(target: Label): void {
    this.refer(target);
    this.items.push({ kind: 'ja', target });
    this.state = undefined;
  }

  /** Resolves labels, inserts trampolines, and enforces the kernel's 4096-instruction limit. */
  finish(): BuildResult {
    const far = this.items.map(() => ({ t: false, f: false }));
    let labelPc = new Map<number, number>();
    for (;;) {
      labelPc = this.layout(far);
      let changed = false;
      let pc = 0;
      this.items.forEach((item, i) => {
        const fl = far[i]!;
        if (item.kind === 'cond') {
          if (!fl.t && this.target(labelPc, item.t) - (pc + 1) > MAX_COND_OFFSET) fl.t = changed = true;
          if (!fl.f && this.target(labelPc, item.f) - (pc + 1) > MAX_COND_OFFSET) fl.f = changed = true;
        }
        pc += this.size(item, fl);
      });
      if (!changed) break;
    }
    const insns = this.resolve(far, labelPc);
    if (insns.length > BPF_MAXINSNS) {
      throw new BpfError('too-long', -1, `the program needs ${insns.length} instructions; the kernel accepts at most ${BPF_MAXINSNS}`, {
        hint: 'split the policy, or merge argument rules that repeat across syscalls',
      });
    }
    return { insns, trampolines: far.reduce((n, fl) => n + (fl.t ? 1 : 0) + (fl.f ? 1 : 0), 0) };
  }

  private refer(label: Label): void {
    if (this.placed.has(label.id)) throw new BpfError('label', -1, `backward reference to label ${label.name}`);
    const list = this.incoming.get(label.id) ?? [];
    list.push(this.acc);
    this.incoming.set(label.id, list);
  }

  private afterStmt(insn: Insn): AccState {
    if (insn.code === (BPF_LD | BPF_W | BPF_ABS)) return { offset: insn.k, mask: FULL };
    if (insn.code === (BPF_ALU | BPF_AND | BPF_W) && this.acc !== null) return { offset: this.acc.offset, mask: (this.acc.mask & insn.k) >>> 0 };
    // Stores and X-register moves leave A alone; anything else that writes A makes it unknown.
    const cls = bpfClass(insn.code);
    if (cls === BPF_ST || cls === BPF_STX || cls === BPF_LDX || insn.code === (BPF_MISC | BPF_TAX)) return this.acc;
    return null;
  }

  private size(item: Item, fl: { t: boolean; f: boolean }): number {
    if (item.kind === 'label') return 0;
    return 1 + (fl.t ? 1 : 0) + (fl.f ? 1 : 0);
  }

  private layout(far: readonly { t: boolean; f: boolean }[]): Map<number, number> {
    const labelPc = new Map<number, number>();
    let pc = 0;
    this.items.forEach((item, i) => {
      if (item.kind === 'label') labelPc.set(item.label.id, pc);
      pc += this.size(item, far[i]!);
    });
    return labelPc;
  }

  private target(labelPc: ReadonlyMap<number, number>, label: Label): number {
    const pc = labelPc.get(label.id);
    if (pc === undefined) throw new BpfError('label', -1, `label ${label.name} is used but never placed`);
    return pc;
  }

  private resolve(far: readonly { t: boolean; f: boolean }[], labelPc: ReadonlyMap<number, number>): Insn[] {
    // The instruction each label lands on, to copy a `ret` instead of adding a `ja` hop.
    const landing = new Map<number, Insn>();
    const pending: Label[] = [];
    for (const item of this.items) {
      if (item.kind === 'label') pending.push(item.label);
      else {
        const insn = item.kind === 'insn' ? item.insn : undefined;
        for (const l of pending.splice(0)) if (insn) landing.set(l.id, insn);
      }
    }
    const out: Insn[] = [];
    const trampoline = (label: Label): Insn => {
      const land = landing.get(label.id);
      if (land && isReturn(land)) return land;
      return stmt(BPF_JMP | BPF_JA, this.target(labelPc, label) - out.length - 1);
    };
    this.items.forEach((item, i) => {
      const fl = far[i]!;
      if (item.kind === 'insn') out.push(item.insn);
      else if (item.kind === 'ja') out.push(stmt(BPF_JMP | BPF_JA, this.target(labelPc, item.target) - out.length - 1));
      else if (item.kind === 'cond') {
        const pc = out.length;
        const jt = fl.t ? 0 : this.target(labelPc, item.t) - pc - 1;
        const jf = fl.f ? (fl.t ? 1 : 0) : this.target(labelPc, item.f) - pc - 1;
        out.push(jump(item.code, item.k, jt, jf));
        if (fl.t) out.push(trampoline(item.t));
        if (fl.f) out.push(trampoline(item.f));
      }
    });
    const last = out[out.length - 1];
    if (!last || !endsFlow(last)) throw new BpfError('no-return', out.length - 1, 'the program can run past its last instruction');
    return out;
  }
}
