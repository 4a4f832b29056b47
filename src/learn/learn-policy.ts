// The whole learner in one function: observed shapes + catalog → the least-category policy (DESIGN "Learning").
import { UsageError } from '../errors.js';
import { bodyOf, type Action, type PolicyDef, type PolicyFile } from '../policy/model.js';
import { learnRule, type LearnedRule } from './constraints.js';
import { solveCover } from './cover.js';
import { categoryCovers, grantedKeys, syscallKey } from './coverage.js';
import { explainCover, explanationLines, type Explanation } from './explain.js';
import type { Category, ObservedShape } from './types.js';

export interface LearnOptions {
  /** Profile name: names the profile's own POLICY block. */
  readonly profile: string;
  readonly defaultAction: Action;
  /** Allow exactly the observed syscalls and argument values, no categories. */
  readonly strict?: boolean;
  /** Refuse categories granting more than this many syscalls the profile never made. */
  readonly maxExcess?: number | undefined;
  /** First header lines (tool version, profile, runs, events, catalog, date); the explanation follows. */
  readonly header?: readonly string[];
  /** Whether the policy, resolved as written, lets each shape run. Categories are chosen for what each
   * grants alone; under first-match order an earlier category's ERRNO/KILL rule can still take a call
   * another grants. Shapes this reports are learned as explicit rules placed first. */
  readonly permits?: (policy: PolicyFile, shapes: readonly ObservedShape[]) => readonly boolean[];
}

export interface LearnResult {
  readonly policy: PolicyFile;
  readonly explanation: Explanation;
}

export function learnPolicy(shapes: readonly ObservedShape[], categories: readonly Category[], options: LearnOptions): LearnResult {
  if (shapes.length === 0) throw new UsageError(`profile '${options.profile}' has no observed syscalls to learn from`);
  const arches = [...new Set(shapes.map((s) => s.arch))].sort();
  const observed = new Set(shapes.map((s) => syscallKey(s.arch, s.name)));
  const pool = (options.strict ? [] : categories)
    .map((category) => ({ category, excess: grantedKeys(category, arches).filter((k) => !observed.has(k)) }))
    .filter((c) => options.maxExcess === undefined || c.excess.length <= options.maxExcess);
  const solution = solveCover({
    elements: shapes.length,
    sets: pool.map(({ category, excess }) => ({
      name: category.name,
      excess,
      covers: shapes.flatMap((s, i) => (categoryCovers(category, s) ? [i] : [])),
    })),
  });
  const chosen = solution.chosen.map((i) => pool[i]!.category);
  const build = (uncovered: readonly ObservedShape[], ownFirst: boolean): LearnResult => {
    const explicit = learnExplicit(uncovered, options.strict ? 'strict' : 'generalize');
    const explanation = explainCover(shapes, chosen, explicit);
    const own = profileDef(uniqueName(options.profile, categories), explicit);
    const names = chosen.map((c) => c.name);
    const order = own === null ? names : ownFirst ? [own.name, ...names] : [...names, own.name];
    return {
      explanation,
      policy: {
        header: [...(options.header ?? []), ...explanationLines(explanation)],
        defs: own === null ? [] : [own],
        top: { body: bodyOf(order, []), defaultAction: options.defaultAction },
      },
    };
  };
  const uncovered = solution.uncovered.map((i) => shapes[i]!);
  const first = build(uncovered, false);
  const verdicts = options.permits?.(first.policy, shapes);
  const denied = verdicts ? shapes.filter((_, i) => !verdicts[i]) : [];
  return denied.length === 0 ? first : build([...uncovered, ...denied.filter((s) => !uncovered.includes(s))], true);
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

/** A policy identifier from the profile name that no catalog category uses. */
function uniqueName(profile: string, categories: readonly Category[]): string {
  const base = `${profile.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_')}_extra`;
  const taken = new Set(categories.map((c) => c.name));
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  return name;
}
