// The "why" of a learned policy: what each chosen category was needed for, what it grants that was never seen,
// and which runs contributed; written as comment lines in the policy and as data in the JSON output.
import type { Arch } from '../abi/arch.js';
import { categoryCovers } from './coverage.js';
import type { LearnedRule } from './constraints.js';
import type { ProfileLevel } from './cost.js';
import type { Category, ObservedShape } from './types.js';

export interface CategoryWhy {
  readonly name: string;
  /** Syscalls it grants that the profile made. */
  readonly observed: readonly string[];
  /** How many syscalls it grants on the profile's arches. */
  readonly total: number;
  /** Granted but never seen. */
  readonly unseen: readonly string[];
  /** What `unseen` costs, weighted by risk. */
  readonly cost: number;
  readonly calls: number;
  readonly runIds: readonly number[];
}

export interface ExplicitWhy {
  readonly syscall: string;
  readonly calls: number;
  readonly runIds: readonly number[];
  readonly doc: readonly string[];
}

export interface Explanation {
  readonly arches: readonly Arch[];
  readonly shapes: number;
  readonly calls: number;
  readonly runIds: readonly number[];
  readonly categories: readonly CategoryWhy[];
  readonly explicit: readonly ExplicitWhy[];
  readonly level: ProfileLevel;
  /** The policy's cost: every syscall granted but never seen (counted once) by its risk weight, plus
   * categoryCost per category. */
  readonly cost: {
    readonly total: number;
    readonly unseen: number;
    readonly unseenWeight: number;
    readonly categories: number;
    readonly categoryCost: number;
    readonly explicit: number;
    readonly explicitCost: number;
  };
}

/** How the learner priced what it granted (src/learn/cost.ts). */
export interface Costing {
  readonly level: ProfileLevel;
  readonly weight: (syscall: string) => number;
  readonly categoryCost: number;
  readonly explicitCost: number;
}

const sortedNumbers = (xs: Iterable<number>): number[] => [...new Set(xs)].sort((a, b) => a - b);
const sortedNames = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
const sum = (shapes: readonly ObservedShape[]): number => shapes.reduce((n, s) => n + s.count, 0);

export function explainCover(
  shapes: readonly ObservedShape[],
  chosen: readonly Category[],
  explicit: ReadonlyMap<string, { readonly shapes: readonly ObservedShape[]; readonly learned: LearnedRule }>,
  costing: Costing,
): Explanation {
  const arches = sortedNames(shapes.map((s) => s.arch)) as Arch[];
  const seen = new Set(shapes.map((s) => s.name));
  const categories = chosen.map((category): CategoryWhy => {
    const granted = sortedNames(arches.flatMap((a) => [...(category.syscalls.get(a)?.keys() ?? [])]));
    const mine = shapes.filter((s) => categoryCovers(category, s));
    return {
      name: category.name,
      observed: granted.filter((n) => seen.has(n)),
      total: granted.length,
      unseen: granted.filter((n) => !seen.has(n)),
      cost: granted.filter((n) => !seen.has(n)).reduce((c, n) => c + costing.weight(n), 0),
      calls: sum(mine),
      runIds: sortedNumbers(mine.flatMap((s) => s.runIds)),
    };
  });
  const unseen = sortedNames(categories.flatMap((c) => c.unseen));
  const unseenWeight = unseen.reduce((c, n) => c + costing.weight(n), 0);
  return {
    level: costing.level,
    cost: {
      total: unseenWeight + costing.categoryCost * categories.length + costing.explicitCost * explicit.size,
      unseen: unseen.length,
      unseenWeight,
      categories: categories.length,
      categoryCost: costing.categoryCost,
      explicit: explicit.size,
      explicitCost: costing.explicitCost,
    },
    arches,
    shapes: shapes.length,
    calls: sum(shapes),
    runIds: sortedNumbers(shapes.flatMap((s) => s.runIds)),
    categories,
    explicit: [...explicit.entries()].map(([syscall, e]) => ({
      syscall,
      calls: sum(e.shapes),
      runIds: sortedNumbers(e.shapes.flatMap((s) => s.runIds)),
      doc: e.learned.doc,
    })),
  };
}

/** Comment lines for the policy header: one per used category, then what it grants that was never seen. */
export function explanationLines(e: Explanation): string[] {
  const lines = [
    `Covers ${e.shapes} observed call shapes (${e.calls} calls) on ${e.arches.join(', ')}; runs ${e.runIds.join(', ')}.`,
    `Profile level ${e.level}; cost ${e.cost.total} = ${e.cost.unseen} syscalls granted but never seen, weighted by risk ` +
      `(${e.cost.unseenWeight}) + ${e.cost.categories} categories × ${e.cost.categoryCost} + ${e.cost.explicit} explicit rules × ${e.cost.explicitCost}.`,
  ];
  for (const c of e.categories) {
    lines.push(`${c.name}: ${c.observed.length}/${c.total} syscalls observed, cost ${c.cost}, ${c.calls} calls, runs ${c.runIds.join(', ')}`);
    if (c.unseen.length > 0) lines.push(...wrapWords('  granted, never seen:', c.unseen));
  }
  if (e.explicit.length > 0) {
    lines.push(`Explicit rules: ${e.explicit.map((x) => x.syscall).join(' ')}`);
  }
  return lines;
}

/** `prefix a b c`, continued on indented lines so no comment line grows past ~100 columns. */
function wrapWords(prefix: string, words: readonly string[]): string[] {
  const out: string[] = [];
  let line = prefix;
  for (const w of words) {
    if (line.length + 1 + w.length > 96 && line.trim() !== prefix.trim()) {
      out.push(line);
      line = `    ${w}`;
    } else line = `${line} ${w}`;
  }
  return [...out, line];
}
