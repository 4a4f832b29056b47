// Positions and hints for policy-language errors: file:line:col with the line's text, and "did you mean".
import { InputError, type Place } from '../errors.js';

/** A policy text split into lines once, so every error can carry the line it points into. */
export interface Source {
  readonly file: string;
  readonly lines: readonly string[];
}

export function makeSource(text: string, file: string): Source {
  return { file, lines: text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)) };
}

export function placeAt(source: Source, line: number, col: number): Place {
  return { file: source.file, line, col, text: source.lines[line - 1] ?? '' };
}

export function failAt(place: Place, message: string, hint?: string): never {
  throw new InputError(place, message, hint === undefined ? {} : { hint });
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`opneat` → `openat` is 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Names longer than this get no suggestion: nothing that long is a typo of a syscall or POLICY name. */
const MAX_SUGGEST_LENGTH = 64;

/** The closest candidate within a third of the name's length (at least 1, at most 3 edits), ties by order.
 * Candidates whose length alone puts them out of reach are skipped, so the cost stays linear in the input. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > MAX_SUGGEST_LENGTH) return undefined;
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestDistance) continue;
    const dist = editDistance(name.toLowerCase(), c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}

/** `did you mean \`openat\`?`, or undefined when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const best = closest(name, candidates);
  return best === undefined ? undefined : `did you mean \`${best}\`?`;
}
