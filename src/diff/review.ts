// The reviewer's view of a diff, shared by every renderer: one sentence per risk level first, then the rows
// ordered by risk and category, default-action and architecture changes ahead of everything.
import { printAction } from '../policy/emit/kafel.js';
import { permits } from './compare-syscall.js';
import type { ActionChange, CategoryUse, PolicyDiff, RiskLevel, SyscallChange } from './model.js';

/** Risk levels for what the new side lets through; `tightened` and `changed` for the rest. */
export type Band = RiskLevel | 'tightened' | 'changed';
export const BANDS: readonly Band[] = ['critical', 'high', 'medium', 'low', 'tightened', 'changed'];
export const RISK_LEVELS: readonly RiskLevel[] = ['critical', 'high', 'medium', 'low'];

/** A change of the whole policy: its default action, or what it does with calls from other ABIs. */
export interface GlobalRow {
  readonly band: Band;
  readonly what: 'default action' | 'foreign-arch action';
  readonly change: ActionChange;
  /** What a loosening means; empty otherwise. */
  readonly why: string;
  readonly sentence: Sentence;
}

export interface ReviewRow {
  readonly band: Band;
  /** The category that brings (or brought) the syscall; `explicit rules` when none does. */
  readonly category: string;
  readonly change: SyscallChange;
  /** A few words for the summary: `now creates AF_INET TCP sockets`, `epoll_wait newly allowed`. */
  readonly headline: string;
}

/** `lead` + `rest` = `1 high` + `: now creates AF_INET TCP sockets`, for renderers that set the lead apart. */
export interface Sentence {
  readonly band: Band;
  readonly lead: string;
  readonly rest: string;
}

export function sentenceText(s: Sentence): string {
  return `${s.lead}${s.rest}`;
}

export interface Review {
  /** One sentence per global change, then one per band. */
  readonly sentences: readonly Sentence[];
  readonly globals: readonly GlobalRow[];
  readonly rows: readonly ReviewRow[];
  /** Added categories that one observed call pulled in. */
  readonly pulledIn: readonly CategoryUse[];
}

const EXPLICIT = 'explicit rules';
/** A band lists its rows' headlines up to this many; beyond, the categories they come through. */
const LISTED = 3;

export function reviewDiff(diff: PolicyDiff): Review {
  const globals = globalRows(diff);
  const rows = diff.syscalls.map(toRow).sort(byBandThenCategory);
  const sentences = [
    ...globals.map((g) => g.sentence),
    ...BANDS.flatMap((band) => {
      const own = rows.filter((r) => r.band === band);
      return own.length === 0 ? [] : [bandSentence(band, own)];
    }),
  ];
  return { sentences, globals, rows, pulledIn: diff.categoryUse.filter((c) => c.observed.length === 1 && c.granted.length > 1) };
}

export function bandIndex(band: Band): number {
  return BANDS.indexOf(band);
}

function toRow(change: SyscallChange): ReviewRow {
  switch (change.kind) {
    case 'added':
      return { band: change.risk.level, category: change.origins[0] ?? EXPLICIT, change, headline: change.risk.headline ?? `${change.syscall} newly allowed` };
    case 'widened':
      return {
        band: change.risk.level, category: change.origins[0] ?? EXPLICIT, change,
        headline: change.risk.headline ?? `${change.syscall} now also allows ${change.examples[0] ?? 'more arguments'}`,
      };
    case 'removed':
      return { band: 'tightened', category: change.origins[0] ?? EXPLICIT, change, headline: `${change.syscall} no longer allowed` };
    case 'narrowed':
      return { band: 'tightened', category: change.origins[0] ?? EXPLICIT, change, headline: `${change.syscall} no longer allows ${change.examples[0] ?? 'some arguments'}` };
    case 'action':
      return { band: 'changed', category: '', change, headline: `${change.syscall}: ${actionChangeText(change)}` };
  }
}

/** `KILL → ERRNO(13)`, with the arguments when the change holds for some only (`… for domain=AF_UNIX`). */
export function actionChangeText(c: Extract<SyscallChange, { kind: 'action' }>): string {
  return `${printAction(c.from)} → ${printAction(c.to)}${c.where === null ? '' : ` for ${c.where}`}`;
}

function byBandThenCategory(a: ReviewRow, b: ReviewRow): number {
  return bandIndex(a.band) - bandIndex(b.band) || compare(a.category, b.category) || compare(a.change.syscall, b.change.syscall);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `1 high: now creates AF_INET TCP sockets`, `28 low via EventLoop, NetworkIo`. */
function bandSentence(band: Band, rows: readonly ReviewRow[]): Sentence {
  const lead = `${rows.length} ${band}`;
  if (rows.length <= LISTED) return { band, lead, rest: `: ${rows.map((r) => r.headline).join('; ')}` };
  const categories = [...new Set(rows.map((r) => r.category || 'actions'))];
  const named = categories.length <= 4 ? categories.join(', ') : `${categories.slice(0, 3).join(', ')} and ${categories.length - 3} more`;
  return { band, lead, rest: ` via ${named}` };
}

function globalRows(diff: PolicyDiff): GlobalRow[] {
  const out: GlobalRow[] = [];
  const add = (what: GlobalRow['what'], change: ActionChange | null, loosened: string) => {
    if (change === null) return;
    const from = printAction(change.from);
    const to = printAction(change.to);
    const band: Band = permits(change.to) && !permits(change.from) ? 'critical' : permits(change.from) && !permits(change.to) ? 'tightened' : 'changed';
    const why = band === 'critical' ? loosened : '';
    out.push({ band, what, change, why, sentence: { band, lead: band, rest: `: ${what} ${from} → ${to}${why === '' ? '' : `: ${why}`}` } });
  };
  add('default action', diff.defaultAction, 'every syscall the policy does not list is now allowed');
  add('foreign-arch action', diff.foreignArchAction, 'calls through another ABI (i386 on x86_64) now pass, around the whole filter');
  return out;
}

/** The highest risk level the diff grants, or null when it grants nothing. */
export function highestRisk(review: Review): RiskLevel | null {
  const bands = [...review.globals.map((g) => g.band), ...review.rows.map((r) => r.band)];
  return RISK_LEVELS.find((level) => bands.includes(level)) ?? null;
}
