// PolicyFile → canonical policy text (the Kafel subset that parsePolicy reads back to the same PolicyFile).
import { printable } from '../../text/safe-text.js';
import { ARG_MASK_ALL, assertNever, type Action, type Entry, type Expr, type PolicyDef, type PolicyFile, type Rule, type TopLevel } from '../model.js';

export interface PrintOptions {
  /** A constant's name for a compared value, printed as a `/*NAME*\/` comment before it. */
  readonly constantName?: (syscall: string, arg: number, value: bigint) => string | undefined;
}

const WIDTH = 100;
const INDENT = '  ';

/** Canonical, deterministic text: rules sorted by name in each block, one rule list per block, `//` docs. */
export function printPolicy(p: PolicyFile, options: PrintOptions = {}): string {
  const parts: string[] = [];
  if (p.header.length > 0) parts.push(comment(p.header, ''));
  for (const def of p.defs) parts.push(printDef(def, options));
  if (p.top) parts.push(printTop(p.top, options));
  return parts.join('\n');
}

/** `USE a, b DEFAULT KILL` when the top level only USEs; otherwise its entries in order, then DEFAULT. */
function printTop(top: TopLevel, options: PrintOptions): string {
  const fallback = `DEFAULT ${printAction(top.defaultAction)}\n`;
  if (top.body.length === 0) return fallback;
  const body = printBody(top.body, '', options);
  return top.body[top.body.length - 1]!.kind === 'use' ? `${body.slice(0, -1)} ${fallback}` : body + fallback;
}

export function printAction(a: Action): string {
  switch (a.kind) {
    case 'allow': return 'ALLOW';
    case 'log': return 'LOG';
    case 'errno': return `ERRNO(${a.errno})`;
    case 'trap': return a.data ? `TRAP(${a.data})` : 'TRAP';
    case 'kill-process': return 'KILL';
    case 'kill-thread': return 'KILL_THREAD';
    case 'user-notif': return 'USER_NOTIF';
    default: return assertNever(a);
  }
}

function comment(lines: readonly string[], indent: string): string {
  return lines.map((l) => `${indent}//${l === '' ? '' : ` ${printable(l)}`}\n`).join('');
}

function printDef(def: PolicyDef, options: PrintOptions): string {
  return `${comment(def.doc, '')}POLICY ${def.name} {\n${printBody(def.body, INDENT, options)}}\n`;
}

/** Entries in their order (it is the order rules are tried in); a run of USEs shares one line. */
function printBody(body: readonly Entry[], indent: string, options: PrintOptions): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const entry = body[i]!;
    if (entry.kind === 'use') {
      const names = [entry.name];
      while (body[i + 1]?.kind === 'use') names.push((body[++i] as { name: string }).name);
      out += `${indent}USE ${names.join(', ')}\n`;
      continue;
    }
    out += `${indent}${printAction(entry.action)} {\n`;
    out += printRules(sortRules(entry.rules), `${indent}${INDENT}`, options);
    out += `${indent}}\n`;
  }
  return out;
}

export function sortRules(rules: readonly Rule[]): Rule[] {
  return [...rules].sort((a, b) => (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0));
}

/** Plain names are packed into lines; a rule with a condition gets a line of its own. */
function printRules(rules: readonly Rule[], indent: string, options: PrintOptions): string {
  const lines: string[] = [];
  let line = '';
  const flush = () => {
    if (line !== '') lines.push(line);
    line = '';
  };
  rules.forEach((rule, i) => {
    const text = printRule(rule, options) + (i < rules.length - 1 ? ',' : '');
    if (rule.when !== null) {
      flush();
      lines.push(text);
    } else if (line !== '' && indent.length + line.length + 1 + text.length > WIDTH) {
      flush();
      line = text;
    } else {
      line = line === '' ? text : `${line} ${text}`;
    }
  });
  flush();
  return lines.map((l) => `${indent}${l}\n`).join('');
}

export function printRule(rule: Rule, options: PrintOptions = {}): string {
  const guard = rule.on === undefined ? '' : rule.on.length === 1 ? ` ON ${rule.on[0]}` : ` ON { ${rule.on.join(', ')} }`;
  if (rule.when === null) return rule.syscall + guard;
  const params = [...rule.params];
  for (let i = params.length; i <= maxArg(rule.when); i++) params.push(`arg${i}`);
  const name = (arg: number) => params[arg] ?? `arg${arg}`;
  return `${rule.syscall}(${params.join(', ')})${guard} { ${printExpr(rule.when, name, (arg, v) => options.constantName?.(rule.syscall, arg, v))} }`;
}

function maxArg(e: Expr): number {
  switch (e.kind) {
    case 'true':
    case 'false': return -1;
    case 'cmp': return e.arg;
    case 'cmp2': return Math.max(e.arg, e.arg2);
    case 'and':
    case 'or': return Math.max(-1, ...e.items.map(maxArg));
    case 'not': return maxArg(e.expr);
    default: return assertNever(e);
  }
}

type Namer = (arg: number) => string;
type ConstantNamer = (arg: number, value: bigint) => string | undefined;

/** Minimal parentheses: `&&` binds tighter than `||`; `!` and masks always get theirs, for readability. */
export function printExpr(e: Expr, name: Namer, constantName: ConstantNamer = () => undefined): string {
  switch (e.kind) {
    case 'true':
    case 'false':
      return e.kind;
    case 'cmp2': {
      const side = (arg: number, mask: bigint) => (mask === ARG_MASK_ALL ? name(arg) : `(${name(arg)} & ${hex(mask)})`);
      return `${side(e.arg, e.mask)} ${e.op} ${side(e.arg2, e.mask2)}`;
    }
    case 'cmp': {
      const lhs = e.mask === ARG_MASK_ALL ? name(e.arg) : `(${name(e.arg)} & ${hex(e.mask)})`;
      const label = constantName(e.arg, e.value);
      return `${lhs} ${e.op} ${label ? `/*${label}*/` : ''}${formatNumber(e.value)}`;
    }
    case 'and':
    case 'or':
      if (e.items.length < 2) return e.items[0] ? printExpr(e.items[0], name, constantName) : String(e.kind === 'and');
      return e.kind === 'and' ? printAnd(e.items, name, constantName) : printOr(e.items, name, constantName);
    case 'not':
      return `!(${printExpr(e.expr, name, constantName)})`;
    default:
      return assertNever(e);
  }
}

function printAnd(items: readonly Expr[], name: Namer, constantName: ConstantNamer): string {
  return items.map((i) => (i.kind === 'or' || i.kind === 'and' ? `(${printExpr(i, name, constantName)})` : printExpr(i, name, constantName))).join(' && ');
}

function printOr(items: readonly Expr[], name: Namer, constantName: ConstantNamer): string {
  return items.map((i) => (i.kind === 'or' ? `(${printExpr(i, name, constantName)})` : printExpr(i, name, constantName))).join(' || ');
}

/** Small values in decimal (errno, domain, fd), flag-sized ones in hex. */
export function formatNumber(v: bigint): string {
  return v < 0x1000n ? v.toString() : hex(v);
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}
