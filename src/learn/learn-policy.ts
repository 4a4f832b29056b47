// The whole learner in one function: observed shapes + catalog → the least-category policy (DESIGN "Learning").
import { UsageError } from '../errors.js';
import { syscallNumber } from '../syscalls/table.js';
import { blocksOf, bodyOf, type Action, type PolicyDef, type PolicyFile } from '../policy/model.js';
import { learnRule, type LearnedRule } from './constraints.js';
import { CATEGORY_COST, DEFAULT_PROFILE_LEVEL, EXPLICIT_COST, grantWeight, RISK_WEIGHT, type ProfileLevel } from './cost.js';
import { solveCover } from './cover.js';
import { categoryCovers, grantedKeys, syscallKey } from './coverage.js';
import { explainCover, explanationLines, type Explanation } from './explain.js';
import { asClone } from './clone3-fallback.js';
import { fallbackAnswers } from './fallback-answers.js';
import type { Category, ObservedShape } from './types.js';

export interface LearnOptions {
  /** Profile name: names the profile's own POLICY block. */
  readonly profile: string;
  readonly defaultAction: Action;
  /** How far beyond the observed the policy may reach (default balanced); `strict` allows exactly the
   * observed syscalls and argument values, no categories. */
  readonly level?: ProfileLevel;
  /** At balanced and broad: answer calls whose failure programs handle (glibc's name-service probe, clone3)
   * with an error where the policy does not allow them (src/learn/fallback-answers.ts). Programs learned with
   * glibc want it; catalogs of other worlds may not. */
  readonly answerFallbacks?: boolean;
  /** Refuse categories granting more than this many syscalls the profile never made. */
  readonly maxExcess?: number | undefined;
  /** First header lines (tool version, profile, runs, events, catalog, date); the explanation follows. */
  readonly header?: readonly string[];
  /** Whether the policy, resolved as written, lets each shape run (a clone3 one also by its fallback to clone:
   * src/learn/clone3-fallback.ts). Categories are chosen for what each grants alone; under first-match order an
   * earlier category's ERRNO/KILL rule can still take a call another grants. Shapes this reports are learned as
   * explicit rules placed first. */
  readonly permits?: (policy: PolicyFile, shapes: readonly ObservedShape[]) => readonly boolean[];
}

export interface LearnResult {
  readonly policy: PolicyFile;
  readonly explanation: Explanation;
}

/** The cost of a key granted but never observed (`arch:name`). */
const keyWeight = (key: string): number => grantWeight(key.slice(key.indexOf(':') + 1));

export function learnPolicy(recorded: readonly ObservedShape[], categories: readonly Category[], options: LearnOptions): LearnResult {
  if (recorded.length === 0) throw new UsageError(`profile '${options.profile}' has no observed syscalls to learn from`);
  const level = options.level ?? DEFAULT_PROFILE_LEVEL;
  const strict = level === 'strict';
  // Balanced and broad keep neighbouring features working; an error answer grants nothing.
  const answerFallbacks = options.answerFallbacks === true && (level === 'balanced' || level === 'broad');
  // The calls the policy must let run: clone3 ones as the clone calls of their fallback, when all can be.
  const asClones = answerFallbacks ? clone3AsClone(recorded) : null;
  const shapes = asClones ?? recorded;
  const arches = [...new Set(shapes.map((s) => s.arch))].sort();
  const observed = new Set(shapes.map((s) => syscallKey(s.arch, s.name)));
  const excessOf = (category: Category): string[] => grantedKeys(category, arches).filter((k) => !observed.has(k));
  const pool = (strict ? [] : categories)
    .map((category) => ({ category, excess: excessOf(category) }))
    .filter((c) => options.maxExcess === undefined || c.excess.length <= options.maxExcess);
  const cheapest = cheapestCover(shapes, pool, level);
  const chosen = level === 'balanced' || level === 'broad' ? widen(cheapest, pool, excessOf) : cheapest;
  const build = (uncovered: readonly ObservedShape[], ownFirst: boolean): LearnResult => {
    const explicit = learnExplicit(uncovered, strict ? 'strict' : 'generalize');
    const explanation = explainCover(shapes, chosen, explicit, { level, weight: grantWeight, categoryCost: CATEGORY_COST, explicitCost: EXPLICIT_COST });
    const own = profileDef(uniqueName(`${options.profile}_extra`, categories), explicit);
    const names = chosen.map((c) => c.name);
    const order = own === null ? names : ownFirst ? [own.name, ...names] : [...names, own.name];
    const fallbacks = answerFallbacks
      ? fallbackAnswers(arches, { categories: chosen, rules: own === null ? [] : blocksOf(own.body).flatMap((b) => b.rules) }, options.defaultAction,
        (wanted) => uniqueName(wanted, categories), new Set(asClones === null ? [] : ['clone3']))
      : [];
    return {
      explanation,
      policy: {
        header: [...(options.header ?? []), ...explanationLines(explanation)],
        defs: [...(own === null ? [] : [own]), ...fallbacks],
        top: { body: bodyOf([...order, ...fallbacks.map((f) => f.name)], []), defaultAction: options.defaultAction },
      },
    };
  };
  const uncovered = shapes.filter((s) => !chosen.some((c) => categoryCovers(c, s)));
  const first = build(uncovered, false);
  // Checked as recorded; a denied clone3 call is learned as the clone call it runs as.
  const verdicts = options.permits?.(first.policy, recorded);
  const denied = verdicts ? shapes.filter((_, i) => !verdicts[i]) : [];
  return denied.length === 0 ? first : build([...uncovered, ...denied.filter((s) => !uncovered.includes(s))], true);
}

/** The shapes with every clone3 one replaced by the clone call glibc's fallback makes, when there are clone3
 * shapes and all have flags clone can take; else null (clone3 is learned as observed). Index for index. */
function clone3AsClone(shapes: readonly ObservedShape[]): ObservedShape[] | null {
  if (!shapes.some((s) => s.name === 'clone3')) return null;
  const out = shapes.map((s) => (s.name === 'clone3' ? asClone(s, syscallNumber(s.arch, 'clone')) : s));
  return out.every((s): s is ObservedShape => s !== null) ? out : null;
}

/** The categories of the cheapest cover (src/learn/cost.ts), where each observed syscall may also be granted alone
 * as an explicit rule: a category is chosen only when it is cheaper than that (a 298-name umbrella for one ioctl
 * is not). Shapes no category covers become explicit rules in any case and are left out of that choice. */
function cheapestCover(shapes: readonly ObservedShape[], pool: readonly { category: Category; excess: string[] }[], level: ProfileLevel): Category[] {
  const sets = pool.map(({ category, excess }) => ({
    name: category.name,
    excess,
    covers: shapes.flatMap((s, i) => (categoryCovers(category, s) ? [i] : [])),
  }));
  const coverable = new Set(sets.flatMap((x) => x.covers));
  // An explicit rule can only win where every category covering the call costs more on its own (otherwise that
  // category replaces it for no more); 'broad' counts categories, so it has none.
  const alone = sets.map((x) => CATEGORY_COST + x.excess.reduce((c, k) => c + keyWeight(k), 0));
  const dear = (i: number): boolean => sets.every((x, j) => alone[j]! > EXPLICIT_COST || !x.covers.includes(i));
  const names = level === 'broad' ? [] : [...new Set(shapes.filter((_, i) => coverable.has(i) && dear(i)).map((s) => s.name))];
  const solution = solveCover({
    elements: shapes.length,
    weight: keyWeight,
    objective: level === 'broad' ? 'fewest' : 'cost',
    setCost: CATEGORY_COST,
    sets: [
      ...sets,
      ...names.map((name) => ({
        name: `explicit ${name}`, excess: [], cost: EXPLICIT_COST,
        covers: shapes.flatMap((s, i) => (s.name === name && coverable.has(i) ? [i] : [])),
      })),
    ],
  });
  return solution.chosen.filter((i) => i < pool.length).map((i) => pool[i]!.category);
}

/** Grows each chosen part of a bundle into the whole bundle (a program that creates files gets to set their
 * modes too), unless the bundle would grant a never-observed call of high or critical risk. Nested bundles grow
 * in turn; the parts a bundle replaces leave the list. */
function widen(chosen: readonly Category[], pool: readonly { category: Category }[], excessOf: (c: Category) => string[]): Category[] {
  const out = new Map(chosen.map((c) => [c.name, c]));
  const bundles = pool.map((p) => p.category).filter((c) => c.parts !== undefined);
  const risky = (c: Category): boolean => excessOf(c).some((k) => keyWeight(k) >= RISK_WEIGHT.high);
  for (let grew = true; grew;) {
    grew = false;
    for (const bundle of bundles) {
      if (out.has(bundle.name) || !bundle.parts!.some((p) => out.has(p)) || risky(bundle)) continue;
      for (const part of bundle.parts!) out.delete(part);
      out.set(bundle.name, bundle);
      grew = true;
    }
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function learnExplicit(shapes: readonly ObservedShape[], mode: 'strict' | 'generalize') {
  const byName = new Map<string, ObservedShape[]>();
  for (const s of shapes) (byName.get(s.name) ?? byName.set(s.name, []).get(s.name)!).push(s);
  const out = new Map<string, { shapes: readonly ObservedShape[]; learned: LearnedRule }>();
  for (const name of [...byName.keys()].sort()) {
    const group = byName.get(name)!;
    out.set(name, { shapes: group, learned: learnRule(group, mode) });
  }
  return out;
}

function profileDef(name: string, explicit: ReturnType<typeof learnExplicit>): PolicyDef | null {
  if (explicit.size === 0) return null;
  const learned = [...explicit.values()].map((e) => e.learned);
  return {
    name,
    body: bodyOf([], [{ action: { kind: 'allow' }, rules: learned.map((l) => l.rule) }]),
    doc: ['Observed calls no category covers.', ...learned.flatMap((l) => l.doc)],
  };
}

/** A policy identifier from `wanted` that no catalog category uses. */
function uniqueName(wanted: string, categories: readonly Category[]): string {
  const base = wanted.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
  const taken = new Set(categories.map((c) => c.name));
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  return name;
}
