// Numeric values of the arguments a policy may constrain, decoded from strace's symbolic text:
// `AF_INET`, `SOCK_STREAM|SOCK_CLOEXEC`, `flags=CLONE_VM|…|SIGCHLD`, `0x3 /* PROT_READ|PROT_WRITE */`
// (-X verbose), `htons(ETH_P_ALL)`, `_IOC(_IOC_READ, 0x54, 0x1, 0x4)`, `TCGETS or FOO`, plain numbers.
import {
  CLONE_FLAGS, FCNTL_COMMANDS, IOCTL_REQUESTS, OPEN_FLAGS, PERSONALITIES, PRCTL_OPTIONS, PROT_FLAGS, SIGNALS,
  SOCKET_DOMAINS, SOCKET_PROTOCOLS, SOCKET_TYPES,
} from './arg-constants.js';

type Names = Readonly<Record<string, number>>;

interface Sensitive {
  /** Kernel argument positions (seccomp_data.args[i]). */
  readonly positions: readonly number[];
  /** The names each position's text may use. */
  readonly names: readonly Names[];
  /** strace prints some arguments as `name=value`, out of register order (clone's `flags=`). */
  readonly labels?: readonly string[];
  /** Pointers: NULL (0) is the one value a filter can rely on; any address is unknown. */
  readonly pointer?: true;
  /** The value is this field of the struct the argument points to (clone3's `{flags=…}`), not the register: a
   * filter reads only the pointer, so no rule may ever be checked against the value (see registerValues). */
  readonly field?: string;
}

const SOCKET: Sensitive = { positions: [0, 1, 2], names: [SOCKET_DOMAINS, SOCKET_TYPES, SOCKET_PROTOCOLS] };
const PROT: Sensitive = { positions: [2], names: [PROT_FLAGS] };
const FCNTL: Sensitive = { positions: [1], names: [FCNTL_COMMANDS] };

const SENSITIVE: Readonly<Record<string, Sensitive>> = {
  socket: SOCKET,
  socketpair: SOCKET,
  personality: { positions: [0], names: [PERSONALITIES] },
  clone: { positions: [0], names: [{ ...CLONE_FLAGS, ...SIGNALS }], labels: ['flags'] },
  // The flags glibc's fallback passes to clone when clone3 fails with ENOSYS (src/learn/clone3-fallback.ts).
  clone3: { positions: [0], names: [CLONE_FLAGS], field: 'flags' },
  prctl: { positions: [0], names: [PRCTL_OPTIONS] },
  ioctl: { positions: [1], names: [IOCTL_REQUESTS] },
  mmap: PROT,
  mmap2: PROT,
  mprotect: PROT,
  pkey_mprotect: PROT,
  fcntl: FCNTL,
  fcntl64: FCNTL,
  // Whether a path is opened for reading only (no write access, O_CREAT, O_TRUNC, O_APPEND, O_TMPFILE).
  open: { positions: [1], names: [OPEN_FLAGS] },
  openat: { positions: [2], names: [OPEN_FLAGS] },
  // Whether new_limit is NULL: a read of the limit, not a change (only NULL is known; a struct or an address is not).
  prlimit64: { positions: [2], names: [{}], pointer: true },
};

/** Argument positions a policy may constrain, per syscall name. */
export const ARG_SENSITIVE: Readonly<Record<string, readonly number[]>> = Object.fromEntries(
  Object.entries(SENSITIVE).map(([name, s]) => [name, s.positions]),
);

const IOC_DIRS: Names = { _IOC_NONE: 0, _IOC_WRITE: 1, _IOC_READ: 2 };
const NUMBER = /^-?(?:0x[0-9a-f]+|\d+)$/i;
/** Bounds on hostile text: a 64-bit number is at most 20 digits (leading zeros allowed), and strace nests
 * at most `htons(…)` or `_IOC(…)` one level deep; anything beyond is undecodable, not a deep recursion. */
const MAX_NUMBER_TEXT = 64;
const MAX_DEPTH = 4;

/** Splits at `sep` outside parentheses. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** `_IOC(dir, type, nr, size)` and `_IO/_IOR/_IOW/_IOWR(type, nr[, size])` with numeric fields. */
function ioc(fn: string, inner: string, names: Names, depth: number): bigint | null {
  const fields = splitTop(inner, ',').map((f) => decodeAt(f, f.startsWith('_IOC_') ? IOC_DIRS : names, depth + 1));
  if (fields.some((f) => f === null)) return null;
  const [a = 0n, b = 0n, c = 0n, d = 0n] = fields as bigint[];
  const make = (dir: bigint, type: bigint, nr: bigint, size: bigint): bigint =>
    (dir << 30n) | (size << 16n) | (type << 8n) | nr;
  switch (fn) {
    case '_IOC': return fields.length === 4 ? make(a, b, c, d) : null;
    case '_IO': return fields.length === 2 ? make(0n, a, b, 0n) : null;
    case '_IOW': return fields.length === 3 ? make(1n, a, b, c) : null;
    case '_IOR': return fields.length === 3 ? make(2n, a, b, c) : null;
    case '_IOWR': return fields.length === 3 ? make(3n, a, b, c) : null;
    default: return null;
  }
}

/** One term of a flag set: a number, a name, `'T'`, `1<<5`, `htons(X)`, `_IOC(...)`. */
function term(text: string, names: Names, depth: number): bigint | null {
  if (text.length <= MAX_NUMBER_TEXT && NUMBER.test(text)) {
    return BigInt.asUintN(64, text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text));
  }
  const named = Object.hasOwn(names, text) ? names[text] : undefined; // not `constructor` & co.
  if (named !== undefined) return BigInt(named);
  if (/^'.'$/.test(text)) return BigInt(text.charCodeAt(1));
  const shift = /^(\d{1,20})<<(\d+)$/.exec(text);
  if (shift) {
    const by = Number(shift[2]);
    return by < 64 ? BigInt.asUintN(64, BigInt(shift[1] ?? 0) << BigInt(by)) : null; // strace never shifts that far
  }
  if (depth >= MAX_DEPTH) return null;
  const call = /^(\w+)\((.*)\)$/.exec(text);
  if (!call) return null;
  const [, fn = '', inner = ''] = call;
  if (fn === 'htons') {
    const v = decodeAt(inner, names, depth + 1);
    return v === null ? null : ((v & 0xffn) << 8n) | ((v >> 8n) & 0xffn);
  }
  return ioc(fn, inner, names, depth);
}

/** `text` without its `/* comments *\/`, in one pass (an unclosed one runs to the end). */
function stripComments(text: string): string {
  let at = text.indexOf('/*');
  if (at < 0) return text;
  let out = '';
  let from = 0;
  while (at >= 0) {
    const end = text.indexOf('*/', at + 2);
    out += text.slice(from, at);
    if (end < 0) return out;
    from = end + 2;
    at = text.indexOf('/*', from);
  }
  return out + text.slice(from);
}

/** Decodes one argument's text with the names it may use; null when some part is unknown. */
export function decode(text: string, names: Names): bigint | null {
  return decodeAt(text, names, 0);
}

function decodeAt(text: string, names: Names, depth: number): bigint | null {
  const plain = stripComments(text).replace(/^[a-z_][a-z0-9_]*=/, '').trim();
  if (plain === '' || plain === 'NULL') return plain === 'NULL' ? 0n : null;
  // `TCGETS or SNDCTL_TMR_TIMEBASE`: strace's spelling of an ioctl number with several names
  for (const alternative of plain.split(' or ')) {
    const value = flagSet(alternative, names, depth);
    if (value !== null) return value;
  }
  return null;
}

/** `A|B|0x10`: the OR of its terms, null when one is unknown. */
function flagSet(text: string, names: Names, depth: number): bigint | null {
  let value = 0n;
  for (const part of splitTop(text, '|')) {
    const v = term(part, names, depth);
    if (v === null) return null;
    value |= v;
  }
  return value;
}

/** `{flags=A|B, child_tid=0x…, …} => {…}`: the text of one field of a struct strace printed (undefined when
 * strace printed an address: it could not read the struct). */
function fieldText(text: string | undefined, field: string): string | undefined {
  if (text === undefined || !text.startsWith('{')) return undefined;
  const end = text.indexOf('}');
  return splitTop(text.slice(1, end < 0 ? undefined : end), ',').find((f) => f.startsWith(`${field}=`));
}

function argText(spec: Sensitive, args: readonly string[], index: number): string | undefined {
  if (spec.field !== undefined) return fieldText(args[spec.positions[index] ?? -1], spec.field);
  const label = spec.labels?.[index];
  if (label !== undefined) {
    const prefix = `${label}=`;
    const found = args.find((a) => a.startsWith(prefix));
    if (found !== undefined) return found;
  }
  return args[spec.positions[index] ?? -1];
}

// Decoded texts per name table: a trace repeats the same few spellings (`PROT_READ|PROT_WRITE`) many times.
// Only short ones are kept: a hostile trace of distinct megabyte-long arguments must not fill it.
const MAX_CACHED = 4096;
const MAX_CACHED_TEXT = 256;
const caches = new Map<Names, Map<string, bigint | null>>();

function decodeCached(text: string, names: Names): bigint | null {
  if (text.length > MAX_CACHED_TEXT) return decode(text, names);
  let cache = caches.get(names);
  if (cache === undefined) caches.set(names, (cache = new Map()));
  let value = cache.get(text);
  if (value === undefined) {
    value = decode(text, names);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(text, value);
  }
  return value;
}

/** Numeric values of the sensitive arguments (null where the text could not be decoded), or null if `name` is not sensitive. */
export function argValues(name: string, args: readonly string[]): (bigint | null)[] | null {
  const spec = Object.hasOwn(SENSITIVE, name) ? SENSITIVE[name] : undefined;
  if (spec === undefined) return null;
  return spec.positions.map((_, i) => {
    const text = argText(spec, args, i);
    const value = text === undefined ? null : decodeCached(text, spec.names[i] ?? {});
    return value === null ? null : keyedValue(name, value);
  });
}

/** A sensitive argument's value as shapes key it, whoever recorded it: a pointer's address is unknown unless NULL. */
export function keyedValue(name: string, value: bigint): bigint | null {
  return Object.hasOwn(SENSITIVE, name) && SENSITIVE[name]!.pointer === true && value !== 0n ? null : value;
}

/** Whether `name`'s stored values are read from memory its arguments point to, not its registers. */
export function valuesInMemory(name: string): boolean {
  return Object.hasOwn(SENSITIVE, name) && SENSITIVE[name]!.field !== undefined;
}

/** Argument values as a filter sees them: unknown where the stored value is not the register (clone3's flags). */
export function registerValues(name: string, values: readonly (bigint | null)[] | null): readonly (bigint | null)[] | null {
  return values !== null && valuesInMemory(name) ? values.map(() => null) : values;
}

/** Canonical text key for a shape, e.g. "2,524289,0"; '' for non-sensitive; `?` for an undecodable value. */
export function shapeKey(values: readonly (bigint | null)[] | null): string {
  if (values === null) return '';
  return values.map((v) => (v === null ? '?' : v.toString())).join(',');
}

export function parseShapeKey(key: string): (bigint | null)[] | null {
  if (key === '') return null;
  const values: (bigint | null)[] = [];
  for (const part of key.split(',')) {
    if (part === '?') values.push(null);
    else if (/^\d+$/.test(part)) values.push(BigInt(part));
    else return null;
  }
  return values;
}
