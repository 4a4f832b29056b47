// Seeded mutations of text inputs for the fuzz tests: the same seed gives the same inputs, so a crash
// found in CI reproduces locally from the seed and index printed with it.
import { makeRng, type Rng } from './bpf-random.js';

export interface Mutation {
  readonly kind: string;
  readonly text: string;
}

const SPECIALS = ['(', ')', '{', '}', '[', ']', '"', '\\', '/*', '*/', '<<', '|', '&', '!', ',', '=', '\0', '\n', '\x1b[2J', '0x', '-', '…'];

const NUMBERS = ['1<<99999999999', '9'.repeat(400), '0x' + 'f'.repeat(100), '-0', '1e309', '0777777777777777777777777'];

/** The word (`[A-Za-z0-9_]` run) around a random index, or an empty span there. */
function tokenAt(rng: Rng, s: string): [number, number] {
  const word = /\w/;
  let a = rng.int(s.length + 1);
  let b = a;
  while (a > 0 && word.test(s[a - 1]!)) a--;
  while (b < s.length && word.test(s[b]!)) b++;
  return [a, b];
}

/** What replaces a word: a hostile number, the word nested deep in a call, or repeated as a long flag set. */
function substitute(rng: Rng, word: string, maxBytes: number): string {
  const depth = 1 + rng.int(20_000);
  switch (rng.int(4)) {
    case 0: return rng.pick(NUMBERS);
    case 1: {
      const fn = rng.pick(['htons(', '_IOC(', '(', 'f(', '!(']);
      return `${fn.repeat(depth)}${word}${')'.repeat(depth)}`.slice(0, maxBytes);
    }
    case 2: return `${word}|`.repeat(depth).slice(0, maxBytes) + word;
    default: return `${word}${rng.pick([' /* ', '<', '"', '\\', '/*'])}`.repeat(depth).slice(0, maxBytes);
  }
}

function pickSlice(rng: Rng, s: string): [number, number] {
  const a = rng.int(s.length + 1);
  const b = a + rng.int(Math.min(64, s.length - a) + 1);
  return [a, b];
}

/** One mutation of `base`; `others` are spliced in for cross-over. Big and deep cases are capped by `maxBytes`. */
export function mutate(rng: Rng, base: string, others: readonly string[], maxBytes = 1 << 20): Mutation {
  const at = rng.int(base.length + 1);
  const ins = (x: string) => base.slice(0, at) + x + base.slice(at);
  switch (rng.int(11)) {
    case 0:
      return { kind: 'truncate', text: base.slice(0, at) };
    case 1: {
      const chars = [...base];
      for (let i = 0, n = 1 + rng.int(8); i < n && chars.length > 0; i++) chars[rng.int(chars.length)] = String.fromCharCode(rng.int(256));
      return { kind: 'flip', text: chars.join('') };
    }
    case 2:
      return { kind: 'special', text: ins(rng.pick(SPECIALS).repeat(1 + rng.int(4))) };
    case 3: {
      const [a, b] = pickSlice(rng, base);
      return { kind: 'delete', text: base.slice(0, a) + base.slice(b) };
    }
    case 4: {
      const [a, b] = pickSlice(rng, base);
      return { kind: 'duplicate', text: base.slice(0, b) + base.slice(a, b).repeat(1 + rng.int(50)) + base.slice(b) };
    }
    case 5: {
      const other = others.length > 0 ? rng.pick(others) : base;
      const [a, b] = pickSlice(rng, other);
      return { kind: 'splice', text: ins(other.slice(a, b)) };
    }
    case 6: {
      const depth = 100 + rng.int(20_000);
      const open = rng.pick(['(', '!', '{', 'htons(', '[', '/*', '"']);
      return { kind: 'deep', text: ins(open.repeat(depth)).slice(0, maxBytes) };
    }
    case 7:
      return { kind: 'long', text: ins('a'.repeat(Math.min(maxBytes, 1000 + rng.int(maxBytes)))) };
    case 8:
      return { kind: 'number', text: ins(rng.pick(NUMBERS)) };
    case 9: {
      const [a, b] = tokenAt(rng, base);
      return { kind: 'token', text: base.slice(0, a) + substitute(rng, base.slice(a, b), maxBytes) + base.slice(b) };
    }
    default:
      return { kind: 'noise', text: ins(Array.from({ length: 1 + rng.int(32) }, () => String.fromCharCode(rng.int(0x250))).join('')) };
  }
}

/** `count` mutations over `bases` from one seed. */
export function* mutations(seed: number, bases: readonly string[], count: number, maxBytes?: number): Generator<Mutation & { index: number }> {
  const rng = makeRng(seed);
  for (let index = 0; index < count; index++) yield { index, ...mutate(rng, rng.pick(bases), bases, maxBytes) };
}
