// Plans the search over syscall-number ranges. Input: the 32-bit number space cut into maximal segments
// (adjacent numbers with the same verdict already merged). Output: a decision tree of `jge` splits and
// `jeq` chains (a run of single numbers inside one background verdict costs one jeq each, no split).
// A dynamic program picks the tree with the least instructions + weighted path length under a depth bound.

export interface Segment {
  readonly lo: number;
  readonly hi: number;
  /** Index into the compiler's verdict table. */
  readonly verdict: number;
  /** How much a short path to this segment matters (allowed syscalls weigh 1, denied ranges little). */
  readonly weight: number;
}

export type SearchTree =
  | { readonly kind: 'leaf'; readonly verdict: number }
  /** `A >= at` goes to `atOrAbove`, else `below`. */
  | { readonly kind: 'split'; readonly at: number; readonly below: SearchTree; readonly atOrAbove: SearchTree }
  /** `A == nr` gets `verdict`, else `otherwise`. */
  | { readonly kind: 'eq'; readonly nr: number; readonly verdict: number; readonly otherwise: SearchTree };

export interface PlanOptions {
  /** Cost of one compare instruction, in units of weight × path step. */
  readonly compareCost: number;
  /** Cost of one more step on the longest path, as a share of the total weight (0.5: half a mean step). */
  readonly depthCost: number;
}

/** Above this many segments, split by weight first and plan the pieces exactly. */
const EXACT_LIMIT = 96;
/** Depth slack over the balanced depth that the exact planner explores. */
const DEPTH_SLACK = 4;

export function planSearch(segments: readonly Segment[], options: PlanOptions): SearchTree {
  if (segments.length === 0) throw new Error('planSearch: no segments');
  if (segments.length > EXACT_LIMIT) return splitLarge(segments, options);
  return new Planner(segments, options).best();
}

/** Compare instructions on the longest path of a tree. */
export function treeDepth(tree: SearchTree): number {
  switch (tree.kind) {
    case 'leaf': return 0;
    case 'split': return 1 + Math.max(treeDepth(tree.below), treeDepth(tree.atOrAbove));
    case 'eq': return 1 + treeDepth(tree.otherwise);
  }
}

function splitLarge(segments: readonly Segment[], options: PlanOptions): SearchTree {
  // Balance total weight, with each segment also counting a little so long denied stretches split too.
  const share = segments.map((s) => s.weight + 0.5);
  const total = share.reduce((a, b) => a + b, 0);
  let acc = 0;
  let cut = 1;
  for (let t = 0; t < segments.length - 1; t++) {
    acc += share[t]!;
    if (acc >= total / 2) { cut = t + 1; break; }
  }
  const at = segments[cut]!.lo;
  return {
    kind: 'split', at,
    below: planSearch(segments.slice(0, cut), options),
    atOrAbove: planSearch(segments.slice(cut), options),
  };
}

const SPLIT = -1;
const CHAIN = -2;
const LEAF = -3;

class Planner {
  private readonly m: number;
  private readonly maxDepth: number;
  private readonly prefix: number[];
  /** cost[(i*m + j) * (D+1) + d]: best cost for segments i..j with at most d compares on any path. */
  private readonly cost: Float64Array;
  /** Chosen move: split position t (>= 0), CHAIN, or LEAF. */
  private readonly move: Int32Array;
  private readonly chainVerdict: Int32Array;

  constructor(private readonly segs: readonly Segment[], private readonly options: PlanOptions) {
    this.m = segs.length;
    this.maxDepth = Math.ceil(Math.log2(this.m + 1)) + DEPTH_SLACK;
    this.prefix = [0];
    for (const s of segs) this.prefix.push(this.prefix[this.prefix.length - 1]! + s.weight);
    const size = this.m * this.m * (this.maxDepth + 1);
    this.cost = new Float64Array(size).fill(Infinity);
    this.move = new Int32Array(size).fill(SPLIT);
    this.chainVerdict = new Int32Array(this.m * this.m).fill(-1);
    this.fill();
  }

  best(): SearchTree {
    const D = this.maxDepth;
    let bestD = D;
    let bestCost = Infinity;
    for (let d = 0; d <= D; d++) {
      const c = this.cost[this.at(0, this.m - 1, d)]! + this.options.depthCost * this.weight(0, this.m - 1) * d;
      if (c < bestCost - 1e-9) { bestCost = c; bestD = d; }
    }
    return this.build(0, this.m - 1, bestD);
  }

  private at(i: number, j: number, d: number): number {
    return (i * this.m + j) * (this.maxDepth + 1) + d;
  }

  private weight(i: number, j: number): number {
    return this.prefix[j + 1]! - this.prefix[i]!;
  }

  private fill(): void {
    const D = this.maxDepth;
    const { compareCost } = this.options;
    for (let len = 1; len <= this.m; len++) {
      for (let i = 0; i + len - 1 < this.m; i++) {
        const j = i + len - 1;
        if (len === 1) {
          for (let d = 0; d <= D; d++) { this.cost[this.at(i, j, d)] = 0; this.move[this.at(i, j, d)] = LEAF; }
          continue;
        }
        const chain = this.chainCost(i, j);
        const w = this.weight(i, j);
        for (let d = 1; d <= D; d++) {
          let best = chain !== undefined && chain.tests <= d ? chain.cost : Infinity;
          let move = best < Infinity ? CHAIN : SPLIT;
          for (let t = i; t < j; t++) {
            const c = compareCost + w + this.cost[this.at(i, t, d - 1)]! + this.cost[this.at(t + 1, j, d - 1)]!;
            if (c < best - 1e-9) { best = c; move = t; }
          }
          this.cost[this.at(i, j, d)] = best;
          this.move[this.at(i, j, d)] = move;
        }
      }
    }
  }

  /** A jeq chain over i..j works when every segment off one background verdict is a single number. */
  private chainCost(i: number, j: number): { cost: number; tests: number } | undefined {
    if (j - i > 2 * this.maxDepth + 1) return undefined;
    const wide = new Set<number>();
    const present = new Set<number>();
    for (let s = i; s <= j; s++) {
      const seg = this.segs[s]!;
      present.add(seg.verdict);
      if (seg.lo !== seg.hi) wide.add(seg.verdict);
    }
    if (wide.size > 1) return undefined;
    let best: { cost: number; tests: number; verdict: number } | undefined;
    for (const background of wide.size === 1 ? wide : present) {
      const tested: number[] = [];
      let bgWeight = 0;
      for (let s = i; s <= j; s++) {
        const seg = this.segs[s]!;
        if (seg.verdict === background) bgWeight += seg.weight;
        else tested.push(seg.weight);
      }
      tested.sort((a, b) => b - a);
      const c = tested.length;
      const cost = this.options.compareCost * c + tested.reduce((acc, w, k) => acc + w * (k + 1), 0) + bgWeight * c;
      if (!best || cost < best.cost - 1e-9) best = { cost, tests: c, verdict: background };
    }
    if (!best) return undefined;
    this.chainVerdict[i * this.m + j] = best.verdict;
    return best;
  }

  private build(i: number, j: number, d: number): SearchTree {
    const move = this.move[this.at(i, j, d)]!;
    if (move === LEAF) return { kind: 'leaf', verdict: this.segs[i]!.verdict };
    if (move === CHAIN) return this.buildChain(i, j);
    return {
      kind: 'split', at: this.segs[move + 1]!.lo,
      below: this.build(i, move, d - 1),
      atOrAbove: this.build(move + 1, j, d - 1),
    };
  }

  private buildChain(i: number, j: number): SearchTree {
    const background = this.chainVerdict[i * this.m + j]!;
    const tested = this.segs.slice(i, j + 1).filter((s) => s.verdict !== background);
    // Heaviest first; ties keep number order so output is deterministic.
    tested.sort((a, b) => b.weight - a.weight || a.lo - b.lo);
    let tree: SearchTree = { kind: 'leaf', verdict: background };
    for (let k = tested.length - 1; k >= 0; k--) {
      const s = tested[k]!;
      tree = { kind: 'eq', nr: s.lo, verdict: s.verdict, otherwise: tree };
    }
    return tree;
  }
}
