import type { Arch } from '../abi/arch.js';
import type { Action, Expr } from '../policy/model.js';
import type { ResolvedPolicy } from '../policy/resolved.js';

/** Where things are written in a side's source file, for annotations (1-based lines). */
export interface SourceMap {
  readonly file: string;
  /** The line of the top-level `USE … DEFAULT` statement (or an OCI file's `defaultAction`). */
  readonly useLine: number | null;
  /** The first line naming each syscall in a rule. */
  readonly ruleLines: ReadonlyMap<string, number>;
}

/** One side of a diff: a policy resolved for one arch, plus what its source says about categories. */
export interface DiffSide {
  /** What the user named: a path or `profile:NAME`. */
  readonly label: string;
  readonly policy: ResolvedPolicy;
  /** Catalog categories the side USEs; null when it names none (OCI JSON, explicit lists). */
  readonly categories: readonly string[] | null;
  /** The categories that bring each syscall (by name). */
  readonly origins: ReadonlyMap<string, readonly string[]>;
  readonly source: SourceMap | null;
  /** Calls per syscall name, when the side was learned from observations. */
  readonly observed?: ReadonlyMap<string, number>;
}

export type RiskLevel = 'critical' | 'high' | 'medium' | 'low';

export interface RiskNote {
  readonly level: RiskLevel;
  /** A short class name: `kernel-module`, `namespaces`, `network`, … */
  readonly group: string;
  readonly reason: string;
  /** What the change lets the program do, when the arguments say more than the name (`now creates AF_INET TCP sockets`). */
  readonly headline?: string;
}

/** A change of what one syscall may do. `when` conditions are "allowed when", null meaning any arguments. */
export type SyscallChange =
  | {
      readonly kind: 'added';
      readonly syscall: string;
      readonly when: Expr | null;
      /** Categories of the new side that bring it. */
      readonly origins: readonly string[];
      readonly risk: RiskNote;
    }
  | { readonly kind: 'removed'; readonly syscall: string; readonly was: Expr | null; readonly origins: readonly string[] }
  | {
      readonly kind: 'widened' | 'narrowed';
      readonly syscall: string;
      readonly was: Expr | null;
      readonly now: Expr | null;
      /** Argument values that changed verdict, described (`domain=AF_NETLINK`). */
      readonly examples: readonly string[];
      /** True when every class of argument values was checked, false when sampled. */
      readonly exact: boolean;
      /** Categories that bring the syscall: of the new side when widened, of the old side when narrowed. */
      readonly origins: readonly string[];
      readonly risk: RiskNote;
    }
  | {
      readonly kind: 'action';
      readonly syscall: string;
      readonly from: Action;
      readonly to: Action;
      /** The arguments the change was found for, when it is not for all of them (`socket(AF_UNIX, …)`). */
      readonly where: string | null;
    };

export type ChangeKind = SyscallChange['kind'];

export interface ActionChange {
  readonly from: Action;
  readonly to: Action;
}

/** A category the new side adds, with the syscalls it brings that the new side's recording observed. */
export interface CategoryUse {
  readonly name: string;
  readonly observed: readonly string[];
  readonly granted: readonly string[];
}

/** The meaning-level difference between two policies for one arch. */
export interface PolicyDiff {
  readonly arch: Arch;
  readonly oldLabel: string;
  readonly newLabel: string;
  /** Null unless both sides name categories. */
  readonly categories: { readonly added: readonly string[]; readonly removed: readonly string[] } | null;
  /** For added categories, when the new side was learned from observations: what pulled each in. */
  readonly categoryUse: readonly CategoryUse[];
  /** Sorted by syscall name, then kind. */
  readonly syscalls: readonly SyscallChange[];
  readonly defaultAction: ActionChange | null;
  readonly foreignArchAction: ActionChange | null;
}

/** A change of meaning. Categories regrouped with the same syscalls and rules are not drift. */
export function hasDrift(diff: PolicyDiff): boolean {
  return diff.syscalls.length > 0 || diff.defaultAction !== null || diff.foreignArchAction !== null;
}
