import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { solveCover, type CoverProblem, type CoverSolution } from '../../src/learn/cover.js';

const t = suite('learn/cover');

/** mulberry32: a small seeded generator, so a failing instance can be replayed from the printed seed. */
function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Every subset, scored (sets, union excess, sorted names): the reference the solver must equal. */
function bruteForce(p: CoverProblem): CoverSolution {
  const coverable = new Set(p.sets.flatMap((s) => s.covers));
  const need = [...coverable];
  let best: { names: string[]; chosen: number[]; excess: number } | null = null;
  for (let mask = 0; mask < 1 << p.sets.length; mask++) {
    const chosen = p.sets.map((_, i) => i).filter((i) => mask & (1 << i));
    const covered = new Set(chosen.flatMap((i) => p.sets[i]!.covers));
    if (!need.every((e) => covered.has(e))) continue;
    const excess = new Set(chosen.flatMap((i) => p.sets[i]!.excess)).size;
    const names = chosen.map((i) => p.sets[i]!.name).sort();
    if (best === null || chosen.length < best.chosen.length ||
        (chosen.length === best.chosen.length && (excess < best.excess ||
          (excess === best.excess && names.join('\0') < best.names.join('\0'))))) {
      best = { names, chosen: [...chosen].sort((a, b) => (p.sets[a]!.name < p.sets[b]!.name ? -1 : 1)), excess };
    }
  }
  const uncovered = [...Array(p.elements).keys()].filter((e) => !coverable.has(e));
  return { chosen: best!.chosen, uncovered, excess: best!.excess, cost: best!.excess };
}

function randomProblem(rand: () => number): CoverProblem {
  const elements = 1 + Math.floor(rand() * 14);
  const nSets = 1 + Math.floor(rand() * 12);
  const pool = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const sets = Array.from({ length: nSets }, (_, i) => ({
    // Names not in index order, so name tie-breaking is really exercised.
    name: `S${((i * 7) % 13).toString().padStart(2, '0')}_${i}`,
    covers: [...Array(elements).keys()].filter(() => rand() < 0.3),
    excess: pool.filter(() => rand() < 0.25),
  }));
  return { elements, sets };
}

const seed = Number(process.env.LEARN_SEED ?? Date.now() % 1_000_000);
t(`optimal on 500 random instances vs brute force (seed ${seed})`, () => {
  const rand = makeRandom(seed);
  for (let i = 0; i < 500; i++) {
    const p = randomProblem(rand);
    const got = solveCover(p);
    const want = bruteForce(p);
    assert.equal(got, want, `instance ${i} (seed ${seed}): ${JSON.stringify(p)}`);
    // Irredundant: dropping any chosen set uncovers something.
    for (const drop of got.chosen) {
      const rest = new Set(got.chosen.filter((s) => s !== drop).flatMap((s) => p.sets[s]!.covers));
      assert.ok(p.sets[drop]!.covers.some((e) => !rest.has(e)), `set ${p.sets[drop]!.name} is redundant in instance ${i}`);
    }
    // Deterministic whatever the order the sets come in.
    const order = p.sets.map((_, j) => j).reverse();
    const shuffled = solveCover({ elements: p.elements, sets: order.map((j) => p.sets[j]!) });
    assert.equal(shuffled.chosen.map((j) => p.sets[order[j]!]!.name), got.chosen.map((j) => p.sets[j]!.name));
  }
});

/** The 'cost' objective by brute force: weighted union excess + per-set cost, then fewer sets, then names. */
function bruteForceCost(p: CoverProblem): { names: string[]; cost: number } {
  const need = [...new Set(p.sets.flatMap((s) => s.covers))];
  let best: { names: string[]; cost: number; k: number } | null = null;
  for (let mask = 0; mask < 1 << p.sets.length; mask++) {
    const chosen = p.sets.filter((_, i) => mask & (1 << i));
    const covered = new Set(chosen.flatMap((s) => s.covers));
    if (!need.every((e) => covered.has(e))) continue;
    const union = new Set(chosen.flatMap((s) => s.excess));
    const cost = [...union].reduce((c, k) => c + p.weight!(k), 0) + chosen.reduce((c, s) => c + (s.cost ?? p.setCost ?? 0), 0);
    const names = chosen.map((s) => s.name).sort();
    if (best === null || cost < best.cost || (cost === best.cost && (chosen.length < best.k ||
        (chosen.length === best.k && names.join('\0') < best.names.join('\0'))))) best = { names, cost, k: chosen.length };
  }
  return { names: best!.names, cost: best!.cost };
}

t(`'cost' objective: optimal on 500 random weighted instances vs brute force (seed ${seed})`, () => {
  const rand = makeRandom(seed + 1);
  const weights: Record<string, number> = { a: 1, b: 1, c: 4, d: 4, e: 200, f: 1, g: 1000, h: 1 };
  for (let i = 0; i < 500; i++) {
    const base = randomProblem(rand);
    const p: CoverProblem = {
      ...base,
      objective: 'cost',
      setCost: 2,
      weight: (k) => weights[k]!,
      // Some sets carry their own fixed cost (as explicit rules do).
      sets: base.sets.map((s) => (rand() < 0.2 ? { ...s, cost: Math.floor(rand() * 60) } : s)),
    };
    const got = solveCover(p);
    const want = bruteForceCost(p);
    assert.equal({ names: got.chosen.map((j) => p.sets[j]!.name).sort(), cost: got.cost }, want, `instance ${i} (seed ${seed}): ${JSON.stringify(p.sets)}`);
  }
});

t('ties: fewer sets first, then smaller union excess, then names', () => {
  const sets = [
    { name: 'Big', covers: [0, 1, 2], excess: ['x', 'y', 'z'] },
    { name: 'A', covers: [0, 1], excess: [] },
    { name: 'B', covers: [2], excess: ['x'] },
    { name: 'C', covers: [2], excess: ['q'] },
  ];
  assert.equal(solveCover({ elements: 3, sets }).chosen, [0]);
  const two = sets.slice(1);
  // B and C both cost one excess key: B wins by name.
  assert.equal(solveCover({ elements: 3, sets: two }).chosen.map((i) => two[i]!.name), ['A', 'B']);
});

t('elements no set covers are reported, not fatal', () => {
  const got = solveCover({ elements: 3, sets: [{ name: 'A', covers: [1], excess: [] }] });
  assert.equal(got, { chosen: [0], uncovered: [0, 2], excess: 0, cost: 0 });
  assert.equal(solveCover({ elements: 0, sets: [] }), { chosen: [], uncovered: [], excess: 0, cost: 0 });
});

t.run();
