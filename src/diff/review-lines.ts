// Review rows as lines every renderer prints alike: what changed before → after in plain words, and why it
// matters. Low-risk syscalls a category grants outright are listed together, one line per category.
import type { RiskNote } from './model.js';
import { plainExpr } from './plain.js';
import { actionChangeText, type Band, type Review, type ReviewRow } from './review.js';

export interface RowLine {
  readonly band: Band;
  readonly category: string;
  /** `+` newly allowed, `~` argument rule changed, `-` no longer allowed, `!` action changed. */
  readonly sign: '+' | '~' | '-' | '!';
  readonly kind: 'newly allowed' | 'widened' | 'no longer allowed' | 'narrowed' | 'action changed';
  readonly syscalls: readonly string[];
  /** `not allowed → domain is AF_INET or AF_INET6`. */
  readonly beforeAfter: string;
  /** The line itself: `socket when domain is AF_INET`, `epoll_ctl, epoll_wait`. */
  readonly text: string;
  readonly details: readonly string[];
  readonly risk: RiskNote | null;
}

const NOT_ALLOWED = 'not allowed';

export function rowLines(review: Review): RowLine[] {
  const out: RowLine[] = [];
  const rows = review.rows;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (isPlainLowAddition(row)) {
      const group = [row];
      while (i + 1 < rows.length && isPlainLowAddition(rows[i + 1]!) && rows[i + 1]!.category === row.category) group.push(rows[++i]!);
      if (group.length > 1) {
        const names = group.map((r) => r.change.syscall);
        out.push({
          band: row.band, category: row.category, sign: '+', kind: 'newly allowed', syscalls: names,
          beforeAfter: `${NOT_ALLOWED} → any arguments`, text: names.join(', '), details: [], risk: null,
        });
        continue;
      }
    }
    out.push(lineOf(row));
  }
  return out;
}

function isPlainLowAddition(row: ReviewRow): boolean {
  return row.band === 'low' && row.change.kind === 'added' && row.change.when === null;
}

function lineOf(row: ReviewRow): RowLine {
  const c = row.change;
  const base = { band: row.band, category: row.category, syscalls: [c.syscall] };
  const why = (r: RiskNote) => `${r.headline === undefined ? '' : `${r.headline} — `}${r.group}: ${r.reason}`;
  switch (c.kind) {
    case 'added': {
      const when = plainExpr(c.syscall, c.when);
      return {
        ...base, sign: '+', kind: 'newly allowed', beforeAfter: `${NOT_ALLOWED} → ${when}`,
        text: `${c.syscall}${c.when === null ? '' : ` when ${when}`}`, details: [why(c.risk)], risk: c.risk,
      };
    }
    case 'removed':
      return {
        ...base, sign: '-', kind: 'no longer allowed', beforeAfter: `${plainExpr(c.syscall, c.was)} → ${NOT_ALLOWED}`,
        text: `${c.syscall}${c.was === null ? '' : ` (was allowed when ${plainExpr(c.syscall, c.was)})`}`, details: [], risk: null,
      };
    case 'widened':
    case 'narrowed': {
      const beforeAfter = `${plainExpr(c.syscall, c.was)} → ${plainExpr(c.syscall, c.now)}`;
      const examples = `${c.kind === 'widened' ? 'now also allows' : 'no longer allows'} ${c.examples.join('; ')}${c.exact ? '' : ' (sampled)'}`;
      return {
        ...base, sign: '~', kind: c.kind, beforeAfter, text: `${c.syscall}: ${beforeAfter}`,
        details: c.kind === 'widened' ? [examples, why(c.risk)] : [examples], risk: c.kind === 'widened' ? c.risk : null,
      };
    }
    case 'action': {
      const beforeAfter = actionChangeText(c);
      return { ...base, sign: '!', kind: 'action changed', beforeAfter, text: `${c.syscall}: ${beforeAfter}`, details: [], risk: null };
    }
  }
}

/** `pulled in by 1 observed call (epoll_create1); grants 13 more never seen` for such a category, else null. */
export function pulledInNote(review: Review, category: string): string | null {
  const use = review.pulledIn.find((c) => c.name === category);
  if (use === undefined) return null;
  const more = use.granted.length - use.observed.length;
  return `added for 1 observed call (${use.observed[0]}); it grants ${more} more never seen`;
}
