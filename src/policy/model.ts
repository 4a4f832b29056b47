// The policy IR: plain readonly data. Behaviour lives in the modules that switch over these unions.

export type Action =
  | { readonly kind: 'allow' }
  | { readonly kind: 'log' }
  | { readonly kind: 'errno'; readonly errno: number }
  | { readonly kind: 'trap' }
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
  | { readonly kind: 'and'; readonly items: readonly Expr[] }
  | { readonly kind: 'or'; readonly items: readonly Expr[] }
  | { readonly kind: 'not'; readonly expr: Expr };

/** One syscall in an action block, optionally guarded by a condition on its arguments. */
export interface Rule {
  readonly syscall: string;
  /** Argument names as written (`socket(domain, type, protocol)`), used for printing only. */
  readonly params: readonly string[];
  readonly when: Expr | null;
}

export interface ActionBlock {
  readonly action: Action;
  readonly rules: readonly Rule[];
}

/** A named `POLICY name { ... }`: a category in a catalog, or a learned profile's own rules. */
export interface PolicyDef {
  readonly name: string;
  /** Names of other POLICY blocks this one includes (`USE` inside a POLICY). */
  readonly uses: readonly string[];
  readonly blocks: readonly ActionBlock[];
  /** Comment lines printed above the block (the "why" of learned policies). */
  readonly doc: readonly string[];
}

/** A whole policy file: `#define`s resolved away, POLICY blocks, and the top-level `USE ... DEFAULT`. */
export interface PolicyFile {
  readonly header: readonly string[];
  readonly defs: readonly PolicyDef[];
  readonly use: { readonly names: readonly string[]; readonly defaultAction: Action } | null;
}

export const ARG_MASK_ALL = (1n << 64n) - 1n;

export const ALLOW: Action = { kind: 'allow' };
export const KILL_PROCESS: Action = { kind: 'kill-process' };

export function sameAction(a: Action, b: Action): boolean {
  return a.kind === b.kind && (a.kind !== 'errno' || a.errno === (b as { errno: number }).errno);
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
