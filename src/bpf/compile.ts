// ResolvedPolicy -> seccomp filter. Shape: load arch, compare with the target's AUDIT_ARCH (foreign ->
// the foreign-arch action), load nr, then a planned search over syscall-number ranges to leaves that
// either return at once (so the kernel's action cache can serve them: only nr and arch were read) or
// run argument checks. On x86_64 the x32 numbers and -1 are ranges of the same search, so rejecting x32
// costs no instruction when the foreign-arch and default actions agree.
import { AUDIT_ARCH, X32_SYSCALL_BIT } from '../abi/arch.js';
import { SECCOMP_DATA_ARCH, SECCOMP_DATA_NR } from '../abi/seccomp.js';
import { decide } from '../policy/eval.js';
import type { Action } from '../policy/model.js';
import type { ResolvedPolicy } from '../policy/resolved.js';
import { actionToRet } from './actions.js';
import { ProgramBuilder, type Label } from './builder.js';
import { emitArgBlock } from './compile-args.js';
import { planSearch, treeDepth, type SearchTree } from './compile-tree.js';
import { buildVerdicts, type Verdict } from './compile-verdicts.js';
import { BPF_JEQ, BPF_JGE, BPF_JMP, BPF_K, BPF_RET, stmt } from './insn.js';
import { validate, type Program } from './validate.js';

export interface CompileOptions {
  /** How often each syscall number runs (the store's hot list); hot numbers get shorter paths. Default 1 each. */
  readonly weights?: ReadonlyMap<number, number>;
}

export interface CompileStats {
  readonly length: number;
  /** Syscall-number ranges the search tells apart. */
  readonly ranges: number;
  /** Compare instructions on the search's longest path (after the 3-instruction prologue). */
  readonly searchDepth: number;
  /** Syscalls (or groups with identical rules) that need argument checks. */
  readonly argBlocks: number;
  /** Instructions added to reach targets more than 255 instructions away. */
  readonly trampolines: number;
}

export interface CompiledFilter {
  readonly program: Program;
  readonly stats: CompileStats;
}

/** Planner trade-off: an instruction is worth one path step of one listed syscall; a level on the longest
 * path is worth half a step on the mean. Measured on the three benchmark lists (bench/bpf.ts). */
const PLAN = { compareCost: 1, depthCost: 0.5 };

export function compilePolicy(policy: ResolvedPolicy, options: CompileOptions = {}): CompiledFilter {
  const { verdicts, segments } = buildVerdicts(policy, options);
  const tree = planSearch(segments, PLAN);
  const b = new ProgramBuilder();
  const rets = new Map<number, Label>();
  const retLabel = (ret: number): Label => {
    let l = rets.get(ret);
    if (!l) rets.set(ret, (l = b.newLabel(`ret_${ret.toString(16)}`)));
    return l;
  };
  const blocks = new Map<number, Label>();
  const verdictLabel = (id: number): Label => {
    const v = verdicts[id]!;
    if (v.kind === 'ret') return retLabel(v.ret);
    let l = blocks.get(id);
    if (!l) blocks.set(id, (l = b.newLabel(`args_${id}`)));
    return l;
  };
  const foreign = retLabel(actionToRet(policy.foreignArchAction));

  b.load(SECCOMP_DATA_ARCH);
  const native = tree.kind === 'leaf' ? verdictLabel(tree.verdict) : b.newLabel('native');
  b.jumpIf(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH[policy.arch], native, foreign);
  if (tree.kind !== 'leaf') {
    b.place(native);
    b.load(SECCOMP_DATA_NR);
    emitTree(b, tree, verdictLabel);
  }
  for (const [id, label] of blocks) {
    b.place(label);
    emitArgBlock(b, verdicts[id] as Extract<Verdict, { kind: 'args' }>, retLabel);
  }
  for (const [ret, label] of rets) {
    b.place(label);
    b.emit(stmt(BPF_RET | BPF_K, ret));
  }
  const { insns, trampolines } = b.finish();
  const program = validate(insns);
  return {
    program,
    stats: {
      length: program.length,
      ranges: segments.length,
      searchDepth: treeDepth(tree),
      argBlocks: blocks.size,
      trampolines,
    },
  };
}

function emitTree(b: ProgramBuilder, tree: SearchTree, verdictLabel: (id: number) => Label): void {
  const target = (t: SearchTree): Label => (t.kind === 'leaf' ? verdictLabel(t.verdict) : b.newLabel('node'));
  const descend = (t: SearchTree, label: Label): void => {
    if (t.kind === 'leaf') return;
    b.place(label);
    emitTree(b, t, verdictLabel);
  };
  switch (tree.kind) {
    case 'leaf':
      b.jumpTo(verdictLabel(tree.verdict));
      return;
    case 'split': {
      const below = target(tree.below);
      const above = target(tree.atOrAbove);
      b.jumpIf(BPF_JMP | BPF_JGE | BPF_K, tree.at, above, below);
      descend(tree.below, below);
      descend(tree.atOrAbove, above);
      return;
    }
    case 'eq': {
      const otherwise = target(tree.otherwise);
      b.jumpIf(BPF_JMP | BPF_JEQ | BPF_K, tree.nr, verdictLabel(tree.verdict), otherwise);
      descend(tree.otherwise, otherwise);
      return;
    }
  }
}

/**
 * What the compiled filter must return for a call: the reference the tests hold the compiler to.
 * Foreign arch and (x86_64) x32 numbers get the foreign-arch action; native calls get decide().
 */
export function expectedAction(policy: ResolvedPolicy, arch: number, nr: number, args: readonly bigint[]): Action {
  if (arch >>> 0 !== AUDIT_ARCH[policy.arch]) return policy.foreignArchAction;
  const u = nr >>> 0;
  if (policy.arch === 'x86_64' && u >= X32_SYSCALL_BIT && u !== 0xffffffff) return policy.foreignArchAction;
  return decide(policy, u === 0xffffffff ? -1 : u, args);
}
