// What `learn report` shows about one or two policies, derived from their diff sides and, where known, what
// was observed: categories as observed vs granted, every observed call with who made it and what allows it,
// what is granted but never seen by risk, and argument rules in plain words. Pure; the renderers print it.
import { allowedWhen } from '../diff/compare-syscall.js';
import type { DiffSide, PolicyDiff, RiskLevel } from '../diff/model.js';
import { plainExpr } from '../diff/plain.js';
import { reviewDiff, RISK_LEVELS, type Review } from '../diff/review.js';
import { riskOf } from '../diff/risk.js';
import { answerOf, fallbackLetsThrough } from '../learn/clone3-fallback.js';
import { printAction } from '../policy/emit/kafel.js';
import type { Expr } from '../policy/model.js';

/** One observed syscall of a profile: calls per arch and the programs that made it. */
export interface ObservedCall {
  readonly name: string;
  readonly counts: ReadonlyMap<string, number>;
  readonly processes: readonly string[];
  /** The recorded argument values (by position) of each shape of the call, per arch. */
  readonly shapes?: readonly { readonly arch: string; readonly values: readonly (bigint | null)[] | null }[];
}

export interface ReportInput {
  readonly side: DiffSide;
  /** Null for a policy file with no recording to compare it with. */
  readonly observed: readonly ObservedCall[] | null;
  /** Where the observations come from, in words (`profile nginx: runs 1, 2`). */
  readonly source?: string;
}

export interface CategoryBar {
  readonly name: string;
  readonly granted: readonly string[];
  /** Null when nothing was observed. */
  readonly observed: readonly string[] | null;
}

export interface ObservedRow extends ObservedCall {
  /** The category (or own block) that allows it; `not allowed` when the policy denies it. */
  readonly allowedBy: string;
  readonly allowed: boolean;
}

export interface SideReport {
  readonly label: string;
  readonly arch: string;
  readonly source: string | null;
  readonly defaultAction: string;
  readonly categories: readonly CategoryBar[];
  readonly observed: readonly ObservedRow[] | null;
  /** Granted and never observed (or just granted, when nothing was observed), highest risk first. */
  readonly unseen: readonly { readonly level: RiskLevel; readonly syscalls: readonly { readonly name: string; readonly reason: string }[] }[];
  readonly constraints: readonly { readonly syscall: string; readonly text: string }[];
  /** The default action lets unlisted calls through: "granted" is everything. */
  readonly permissiveDefault: boolean;
}

export interface Report {
  readonly title: string;
  readonly sides: readonly SideReport[];
  readonly diff: PolicyDiff | null;
  readonly review: Review | null;
}

export function buildReport(inputs: readonly ReportInput[], diff: PolicyDiff | null): Report {
  const sides = inputs.map(sideReport);
  const title = sides.length === 1 ? sides[0]!.label : `${sides[0]!.label} → ${sides[sides.length - 1]!.label}`;
  return { title, sides, diff, review: diff === null ? null : reviewDiff(diff) };
}

function sideReport(input: ReportInput): SideReport {
  const { side, observed } = input;
  const policy = side.policy;
  const when = new Map<string, Expr>();
  for (const s of policy.syscalls) when.set(s.name, allowedWhen(s.clauses, policy.defaultAction));
  const granted = [...when].filter(([, e]) => e.kind !== 'false').map(([name]) => name).sort();
  const seen = observed === null ? null : new Set(observed.map((o) => o.name));
  const categoryNames = [...new Set([...side.origins.values()].flat())].sort();
  const categories = categoryNames.map((name) => {
    const members = granted.filter((s) => side.origins.get(s)?.includes(name));
    return { name, granted: members, observed: seen === null ? null : members.filter((s) => seen.has(s)) };
  }).filter((c) => c.granted.length > 0);
  const permissiveDefault = allowedWhen([], policy.defaultAction).kind === 'true';
  const allows = (name: string) => (when.get(name)?.kind ?? (permissiveDefault ? 'true' : 'false')) !== 'false';
  // Every block that grants the name: a row is per name, not per argument (Basic's clone is threads only, Spawn's is children).
  const viaOf = (name: string) => side.origins.get(name)?.join(', ') ?? (when.has(name) ? 'explicit rule' : 'default action');
  const answer = answerOf(policy);
  const rows = observed?.map((o): ObservedRow => {
    if (allows(o.name)) return { ...o, allowed: true, allowedBy: viaOf(o.name) };
    const here = (o.shapes ?? []).filter((s) => s.arch === policy.arch);
    const fallback = here.length > 0 && here.every((s) => fallbackLetsThrough({ name: o.name, values: s.values }, answer));
    return { ...o, allowed: fallback, allowedBy: fallback ? `ENOSYS, then clone: ${viaOf('clone')}` : 'not allowed' };
  }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) ?? null;
  const unseenNames = granted.filter((s) => seen === null || !seen.has(s));
  const unseen = RISK_LEVELS.map((level) => ({
    level,
    syscalls: unseenNames.map((name) => ({ name, note: riskOf(name) })).filter((x) => x.note.level === level).map((x) => ({ name: x.name, reason: x.note.reason })),
  })).filter((g) => g.syscalls.length > 0);
  const constraints = [...when].filter(([, e]) => e.kind !== 'true' && e.kind !== 'false')
    .map(([syscall, e]) => ({ syscall, text: plainExpr(syscall, e) }))
    .sort((a, b) => (a.syscall < b.syscall ? -1 : 1));
  return {
    label: side.label, arch: policy.arch, source: input.source ?? null, defaultAction: printAction(policy.defaultAction),
    categories, observed: rows, unseen, constraints, permissiveDefault,
  };
}
