// The policy IR: plain readonly data. Behaviour lives in the modules that switch over these unions.

export type Action =
  | { readonly kind: 'allow' }
  | { readonly kind: 'log' }
  | { readonly kind: 'errno'; readonly errno: number }
  /** `data` (0..65535) is what the SIGSYS handler sees in si_errno; absent means 0. */
  | { readonly kind: 'trap'; readonly data?: number }
  | { readonly kind: 'kill-process' }
  | { readonly kind: 'kill-thread' }
  | { readonly kind: 'user-notif' };

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A boolean expression over the six 64-bit syscall arguments. */
export type Expr =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  /** `(args[arg] & mask) op value`; mask is 2^64-1 when the source had no `&`. */
  | { readonly kind: 'cmp'; readonly arg: number; readonly mask: bigint; readonly op: CmpOp; readonly value: bigint }
  /** `(args[arg] & mask) op (args[arg2] & mask2)`: two arguments compared (Kafel's `fd != count`). */
  | { readonly kind: 'cmp2'; readonly arg: number; readonly mask: bigint; readonly op: CmpOp; readonly arg2: number; readonly mask2: bigint }
  | { readonly kind: 'and'; readonly items: readonly Expr[] }
  | { readonly kind: 'or'; readonly items: readonly Expr[] }
  | { readonly kind: 'not'; readonly expr: Expr };

/** Architecture names an `ON` guard may give (Kafel's targets, canonical spelling). */
export const GUARD_ARCHES = ['x86_64', 'x86', 'aarch64', 'arm', 'mips', 'mips64', 'riscv64', 'm68k'] as const;
export type GuardArch = (typeof GUARD_ARCHES)[number];

/** One syscall in an action block, optionally guarded by a condition on its arguments. */
export interface Rule {
  /** A name from the syscall tables, or `SYSCALL[n]` for a number given directly (n in 0..2^32-1). */
  readonly syscall: string;
  /** Argument names as written (`socket(domain, type, protocol)`), used for printing only. */
  readonly params: readonly string[];
  readonly when: Expr | null;
  /** `ON x86_64` / `ON { x86_64, aarch64 }`: the rule exists only on these arches; absent means every arch. */
  readonly on?: readonly GuardArch[];
}

export interface ActionBlock {
  readonly kind: 'block';
  readonly action: Action;
  readonly rules: readonly Rule[];
}

/** `USE name`: the named POLICY's body, pasted where it stands (each POLICY at most once, at its first USE). */
export interface UseEntry {
  readonly kind: 'use';
  readonly name: string;
}

/** What a POLICY body or the top level holds, in text order: the order rules are tried in. */
export type Entry = ActionBlock | UseEntry;

/** A named `POLICY name { ... }`: a category in a catalog, or a learned profile's own rules. */
export interface PolicyDef {
  readonly name: string;
  readonly body: readonly Entry[];
  /** Comment lines printed above the block (the "why" of learned policies). */
  readonly doc: readonly string[];
}

/** The statements outside any POLICY (Kafel's implicit top-level policy) and the DEFAULT action. */
export interface TopLevel {
  readonly body: readonly Entry[];
  readonly defaultAction: Action;
}

/** A whole policy file: `#define`s resolved away, POLICY blocks, and the top-level statements. */
export interface PolicyFile {
  readonly header: readonly string[];
  readonly defs: readonly PolicyDef[];
  /** Null for a file of POLICY definitions only (a catalog). */
  readonly top: TopLevel | null;
}

export function usesOf(body: readonly Entry[]): string[] {
  return body.flatMap((e) => (e.kind === 'use' ? [e.name] : []));
}

export function blocksOf(body: readonly Entry[]): ActionBlock[] {
  return body.filter((e): e is ActionBlock => e.kind === 'block');
}

/** A body in the usual shape: its USEs first, then its action blocks. */
export function bodyOf(uses: readonly string[], blocks: readonly Omit<ActionBlock, 'kind'>[]): Entry[] {
  return [...uses.map((name): Entry => ({ kind: 'use', name })), ...blocks.map((b): Entry => ({ kind: 'block', ...b }))];
}

export const ARG_MASK_ALL = (1n << 64n) - 1n;

export const ALLOW: Action = { kind: 'allow' };
export const KILL_PROCESS: Action = { kind: 'kill-process' };

export function sameAction(a: Action, b: Action): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'errno') return a.errno === (b as { errno: number }).errno;
  if (a.kind === 'trap') return (a.data ?? 0) === ((b as { data?: number }).data ?? 0);
  return true;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
