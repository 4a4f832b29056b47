// Exact minimum set cover with a lexicographic objective. 'cost': the least weighted excess (each key in the union
// of the chosen sets' excess counts its weight once) plus setCost per chosen set, then fewest sets; 'fewest': fewest
// sets, then least weighted excess. Last, the smallest sorted list of names (equal optima resolve the same way
// every time).
// Branch and bound: branch on the uncovered element with fewest candidates, exclude each explored candidate from
// its later siblings, prune with a disjoint-elements lower bound, seed the bound with a greedy cover.

export interface CoverSet {
  readonly name: string;
  /** Element indices this set covers. */
  readonly covers: readonly number[];
  /** What choosing this set grants beyond the observed (keys; the union over chosen sets is counted). */
  readonly excess: readonly string[];
  /** What choosing it costs under 'cost', besides its excess; the problem's setCost when absent. */
  readonly cost?: number;
}

export interface CoverProblem {
  readonly elements: number;
  readonly sets: readonly CoverSet[];
  /** The cost of granting one excess key; 1 each when absent. */
  readonly weight?: (key: string) => number;
  /** 'fewest' sets first (the default), or least 'cost'. */
  readonly objective?: 'cost' | 'fewest';
  /** What choosing one set costs under 'cost' (default 0). */
  readonly setCost?: number;
}

export interface CoverSolution {
  /** Indices into `sets`, ordered by name. */
  readonly chosen: readonly number[];
  /** Elements no set covers. */
  readonly uncovered: readonly number[];
  /** Size of the union of the chosen sets' excess. */
  readonly excess: number;
  /** Weighted size of that union, plus setCost per chosen set. */
  readonly cost: number;
}

interface Reduced {
  readonly sets: readonly number[]; // reduced index → original index
  readonly rowCands: readonly (readonly number[])[]; // per element class, reduced set indices
  readonly setRows: readonly (readonly number[])[];
  readonly setExcess: readonly (readonly number[])[];
  /** Fixed cost per set. */
  readonly setCost: readonly number[];
  /** Weight per key id. */
  readonly keyWeight: readonly number[];
}

export function solveCover(problem: CoverProblem): CoverSolution {
  const cands: number[][] = Array.from({ length: problem.elements }, () => []);
  problem.sets.forEach((s, i) => {
    for (const e of new Set(s.covers)) cands[e]?.push(i);
  });
  const uncovered = cands.flatMap((c, e) => (c.length === 0 ? [e] : []));
  const reduced = reduce(problem, cands.filter((c) => c.length > 0));
  const names = reduced.sets.map((i) => problem.sets[i]!.name);
  const best = search(reduced, names, problem.objective ?? 'fewest');
  const chosen = best.chosen.map((i) => reduced.sets[i]!).sort((a, b) => cmpStr(problem.sets[a]!.name, problem.sets[b]!.name));
  return { chosen, uncovered, excess: best.excessKeys, cost: best.weight + best.fixed };
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isSubset<T>(small: Iterable<T>, big: ReadonlySet<T>): boolean {
  for (const x of small) if (!big.has(x)) return false;
  return true;
}

/** Merges elements with the same candidates, drops elements implied by others (their candidates are a superset),
 * drops sets another set dominates (covers at least as much, grants no more, costs no more, sorts first by name). */
function reduce(problem: CoverProblem, rawRows: number[][]): Reduced {
  const unique = new Map<string, number[]>();
  for (const row of rawRows) unique.set(row.join(','), row);
  const byLength = [...unique.values()].sort((a, b) => a.length - b.length);
  const rows: number[][] = [];
  for (const row of byLength) {
    const set = new Set(row);
    if (!rows.some((kept) => isSubset(kept, set))) rows.push(row);
  }
  const coverOf = new Map<number, Set<number>>();
  rows.forEach((row, r) => row.forEach((s) => (coverOf.get(s) ?? coverOf.set(s, new Set()).get(s)!).add(r)));
  const live = [...coverOf.keys()];
  const excessOf = new Map(live.map((s) => [s, new Set(problem.sets[s]!.excess)]));
  const kept = live.filter((a) => !live.some((b) => b !== a && dominates(b, a)));
  function dominates(b: number, a: number): boolean {
    const fixed = (s: number): number => problem.sets[s]!.cost ?? problem.setCost ?? 0;
    return problem.sets[b]!.name < problem.sets[a]!.name && fixed(b) <= fixed(a) &&
      isSubset(coverOf.get(a)!, coverOf.get(b)!) &&
      isSubset(excessOf.get(b)!, excessOf.get(a)!);
  }
  kept.sort((a, b) => cmpStr(problem.sets[a]!.name, problem.sets[b]!.name));
  const index = new Map(kept.map((s, i) => [s, i]));
  const keyIds = new Map<string, number>();
  const keyId = (k: string): number => keyIds.get(k) ?? keyIds.set(k, keyIds.size).get(k)!;
  const setExcess = kept.map((s) => [...excessOf.get(s)!].map(keyId));
  const weight = problem.weight ?? (() => 1);
  return {
    sets: kept,
    rowCands: rows.map((row) => row.flatMap((s) => (index.has(s) ? [index.get(s)!] : []))),
    setRows: kept.map((s) => [...coverOf.get(s)!]),
    setExcess,
    setCost: kept.map((s) => problem.sets[s]!.cost ?? problem.setCost ?? 0),
    keyWeight: [...keyIds.keys()].map(weight),
  };
}

/** Adds delta to counts[i]; true when the count crossed zero. */
function bump(counts: Int32Array, i: number, delta: 1 | -1): boolean {
  const before = counts[i]!;
  counts[i] = before + delta;
  return delta === 1 ? before === 0 : before === 1;
}

interface Best {
  /** The objective as a tuple compared in order, then the names. */
  score: [number, number];
  weight: number;
  fixed: number;
  excessKeys: number;
  names: string[];
  chosen: number[];
}

function better(score: readonly [number, number], names: readonly string[], best: Best): boolean {
  if (score[0] !== best.score[0]) return score[0] < best.score[0];
  if (score[1] !== best.score[1]) return score[1] < best.score[1];
  for (let i = 0; i < names.length; i++) if (names[i] !== best.names[i]) return names[i]! < best.names[i]!;
  return false;
}

function search(r: Reduced, names: readonly string[], objective: 'cost' | 'fewest'): Best {
  const rows = r.rowCands.length;
  const covered = new Int32Array(rows);
  const keyCount = new Int32Array(r.keyWeight.length);
  const excluded = new Uint8Array(r.sets.length);
  const marks = new Int32Array(r.sets.length);
  let stamp = 0;
  let open = rows;
  let weight = 0;
  let fixed = 0;
  let excessKeys = 0;
  const chosen: number[] = [];
  const best: Best = { score: [Infinity, Infinity], weight: Infinity, fixed: Infinity, excessKeys: Infinity, names: [], chosen: [] };
  /** The objective with `more` sets still to choose that add at least `extra` cost (excess only grows). */
  const score = (more: number, extra = 0): [number, number] => {
    const sets = chosen.length + more;
    return objective === 'cost' ? [weight + fixed + extra, sets] : [sets, weight];
  };

  function take(s: number, delta: 1 | -1): void {
    // A counter going 0 → 1 (or back) changes the open elements and the union's excess.
    for (const row of r.setRows[s]!) if (bump(covered, row, delta)) open -= delta;
    for (const key of r.setExcess[s]!) {
      if (bump(keyCount, key, delta)) {
        weight += delta * r.keyWeight[key]!;
        excessKeys += delta;
      }
    }
    fixed += delta * r.setCost[s]!;
    if (delta === 1) chosen.push(s);
    else chosen.pop();
  }
  function record(): void {
    const sorted = chosen.map((s) => names[s]!).sort(cmpStr);
    const now = score(0);
    if (better(now, sorted, best)) Object.assign(best, { score: now, weight, fixed, excessKeys, names: sorted, chosen: [...chosen] });
  }
  const available = (row: number): number[] => r.rowCands[row]!.filter((s) => excluded[s] === 0);
  const gain = (s: number): number => r.setRows[s]!.reduce((n, row) => n + (covered[row] === 0 ? 1 : 0), 0);
  const newExcess = (s: number): number => r.setExcess[s]!.reduce((n, key) => n + (keyCount[key] === 0 ? r.keyWeight[key]! : 0), 0);

  /** Open elements no single set can cover two of, each needing its own set: how many, and what they add at
   * least (the cheapest fixed cost of each one's candidates, plus the largest of their cheapest new excess —
   * excess is a union, so only the largest one is sure to be paid). */
  function lowerBound(openRows: readonly { row: number; cands: number[] }[]): { sets: number; extra: number } {
    stamp++;
    let sets = 0;
    let fixedSum = 0;
    let excessMax = 0;
    for (const { cands } of openRows) {
      if (cands.some((s) => marks[s] === stamp)) continue;
      sets++;
      let fixedMin = Infinity;
      let excessMin = Infinity;
      for (const s of cands) {
        marks[s] = stamp;
        fixedMin = Math.min(fixedMin, r.setCost[s]!);
        excessMin = Math.min(excessMin, newExcess(s));
      }
      fixedSum += fixedMin;
      excessMax = Math.max(excessMax, excessMin);
    }
    return { sets, extra: fixedSum + excessMax };
  }
  function dfs(): void {
    if (open === 0) return record();
    const openRows: { row: number; cands: number[] }[] = [];
    for (let row = 0; row < rows; row++) if (covered[row] === 0) openRows.push({ row, cands: available(row) });
    openRows.sort((a, b) => a.cands.length - b.cands.length);
    const pivot = openRows[0]!;
    if (pivot.cands.length === 0) return;
    const lb = lowerBound(openRows);
    const bound = score(lb.sets, lb.extra);
    if (bound[0] > best.score[0] || (bound[0] === best.score[0] && bound[1] > best.score[1])) return;
    const order = pivot.cands
      .map((s) => ({ s, gain: gain(s), extra: newExcess(s) }))
      .sort((a, b) => b.gain - a.gain || a.extra - b.extra || cmpStr(names[a.s]!, names[b.s]!));
    const done: number[] = [];
    for (const { s } of order) {
      take(s, 1);
      dfs();
      take(s, -1);
      excluded[s] = 1;
      done.push(s);
    }
    for (const s of done) excluded[s] = 0;
  }
  function greedy(): void {
    while (open > 0) {
      let pick = -1;
      let score = [0, 0];
      for (let s = 0; s < r.sets.length; s++) {
        const g = gain(s);
        const x = newExcess(s);
        if (g > 0 && (pick < 0 || g > score[0]! || (g === score[0] && x < score[1]!))) [pick, score] = [s, [g, x]];
      }
      take(pick, 1);
    }
    record();
    while (chosen.length > 0) take(chosen[chosen.length - 1]!, -1);
  }
  greedy();
  dfs();
  return best;
}
