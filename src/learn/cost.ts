// What a category costs: what it grants beyond the observed, weighted by risk, plus a little for being one more
// category to review. The risk levels are the diff's (src/diff/risk-table.ts); the weights are the learner's.
import type { RiskLevel } from '../diff/model.js';
import { riskOf } from '../diff/risk.js';

/** From strict to broad: how far a policy may reach beyond what was observed (README "Profile levels"). */
export const PROFILE_LEVELS = ['strict', 'tight', 'balanced', 'broad'] as const;
export type ProfileLevel = (typeof PROFILE_LEVELS)[number];
export const DEFAULT_PROFILE_LEVEL: ProfileLevel = 'balanced';

/** Cost of granting one never-observed syscall. A high-risk name costs more than any set of harmless neighbours
 * a catalog category could bring, so the solver takes one only when nothing cheaper covers what was seen. */
export const RISK_WEIGHT: Readonly<Record<RiskLevel, number>> = { low: 1, medium: 4, high: 200, critical: 1000 };

/** What one more category costs: about two harmless names, so one category with a couple of harmless extras
 * beats two that grant nothing extra. */
export const CATEGORY_COST = 2;

/** What granting one observed syscall alone (an explicit rule) costs: far more than a category's harmless
 * neighbours, far less than one never-seen high-risk call. */
export const EXPLICIT_COST = 50;

/** The cost of granting `syscall` when it was never observed. */
export function grantWeight(syscall: string): number {
  return RISK_WEIGHT[riskOf(syscall).level];
}
