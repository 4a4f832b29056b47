// The policy language (Kafel's, see README) → PolicyFile. Syntax, unknown names and bad values are reported
// here with file:line:col; what needs other files (USE of a catalog category, argument widths) is the resolver's.
import { ARCHES, type Arch } from '../abi/arch.js';
import type { Place } from '../errors.js';
import { GUARD_ARCHES, type Action, type ActionBlock, type Entry, type GuardArch, type PolicyDef, type PolicyFile, type Rule, type TopLevel } from '../policy/model.js';
import { KAFEL_ALIAS_NAMES } from '../syscalls/kafel-names.js';
import { syscallNames } from '../syscalls/table.js';
import { Cursor, describe } from './cursor.js';
import { didYouMean, failAt, makeSource, type Source } from './diagnostics.js';
import { parseCondition, parseConstant } from './expr-parser.js';
import { lex, type IncludeReader, type LineComment, type Token } from './lexer.js';
import { placeOf, recordPlace, recordUsePlaces } from './places.js';

export interface ParseOptions {
  /** Suggest names from this arch's table in "did you mean" hints (names are accepted if any arch has them). */
  readonly arch?: Arch;
  /** Reads `#include`d files; without it `#include` is refused. */
  readonly include?: IncludeReader;
}

const ACTION_WORDS = ['ALLOW', 'LOG', 'ERRNO', 'TRAP', 'KILL', 'KILL_PROCESS', 'KILL_THREAD', 'DENY', 'USER_NOTIF'];
/** Kafel's keywords: none of them names a POLICY, an argument or a constant. */
export const RESERVED: ReadonlySet<string> = new Set(['POLICY', 'USE', 'DEFAULT', 'SYSCALL', 'ON', 'TRACE', 'define', ...ACTION_WORDS]);
export const MAX_ERRNO = 4095;
const MAX_ACTION_DATA = 0xffff;
const MAX_PARAMS = 6;
/** Kafel's spellings of the arches an `ON` guard names. */
const GUARD_ALIASES: Readonly<Record<string, GuardArch>> = { amd64: 'x86_64', i386: 'x86', arm64: 'aarch64', mipso32: 'mips', rv64: 'riscv64' };

let knownNames: ReadonlySet<string> | undefined;
/** Names any of our arches has: categories are arch-neutral, so only a name unknown everywhere is an error. */
export function isKnownSyscall(name: string): boolean {
  knownNames ??= new Set([...ARCHES.flatMap((a) => syscallNames(a)), ...KAFEL_ALIAS_NAMES]);
  return knownNames.has(name);
}

/** The number of a `SYSCALL[n]` rule, or undefined for a named syscall. */
export function customSyscallNumber(syscall: string): number | undefined {
  const m = /^SYSCALL\[(\d+)\]$/.exec(syscall);
  return m ? Number(m[1]) : undefined;
}

export function parsePolicy(text: string, file: string, options: ParseOptions = {}): PolicyFile {
  const source = makeSource(text, file);
  const { tokens, comments } = lex(source, { include: options.include });
  const cur = new Cursor(tokens);
  const header = headerLines(source, comments);
  const docFor = docLookup(comments, header.length === 0 ? 0 : header.length + 1);
  const ctx: Ctx = { cur, defines: new Map(), options };
  const defs: PolicyDef[] = [];
  const seen = new Map<string, Place>();
  const top: Entry[] = [];
  const topPlaces: Place[] = [];
  let defaultAction: { action: Action; at: Token } | null = null;
  for (let t = cur.peek(); t.kind !== 'eof'; t = cur.peek()) {
    if (t.kind === 'define') parseDefine(ctx);
    else if (isWord(t, 'POLICY')) {
      const def = parseDef(ctx, t.source === source ? docFor(t.line) : []);
      const at = placeOf(def)!;
      const before = seen.get(def.name);
      if (before) failAt(at, `POLICY \`${def.name}\` is defined twice (first at line ${before.line})`);
      seen.set(def.name, at);
      defs.push(def);
    } else if (isWord(t, 'DEFAULT')) {
      cur.next();
      if (defaultAction) cur.fail(t, `a second \`DEFAULT\` (the first is at line ${defaultAction.at.line})`, 'a policy has one default action');
      defaultAction = { action: parseAction(ctx), at: t };
    } else if (startsEntry(cur)) {
      parseEntry(ctx, top, topPlaces);
      cur.eat(',');
    } else {
      cur.fail(t, `expected \`POLICY\`, \`USE\`, an action block, \`DEFAULT\` or \`#define\`, found ${describe(t)}`, actionHint(t));
    }
  }
  let main: TopLevel | null = null;
  if (top.length > 0 || defaultAction) {
    // Kafel's default when none is given is KILL; ours spells KILL as kill-process (README).
    main = { body: top, defaultAction: defaultAction?.action ?? { kind: 'kill-process' } };
    recordUsePlaces(main, topPlaces);
    if (defaultAction) recordPlace(main, cur.place(defaultAction.at));
  }
  return { header, defs, top: main };
}

interface Ctx {
  readonly cur: Cursor;
  readonly defines: Map<string, bigint>;
  readonly options: ParseOptions;
}

/** `USE`, an action word, or a word followed by `{` or `(` (a misspelt action, reported by parseAction). */
function startsEntry(cur: Cursor): boolean {
  const t = cur.peek();
  if (t.kind !== 'ident') return false;
  return t.text === 'USE' || t.text === 'TRACE' || ACTION_WORDS.includes(t.text) || cur.isPunct('{', 1) || cur.isPunct('(', 1);
}

function isWord(t: Token, word: string): boolean {
  return t.kind === 'ident' && t.text === word;
}

/** `//` lines at the very top, ended by a blank line (or the end of the file). */
function headerLines(source: Source, comments: readonly LineComment[]): string[] {
  const lines: string[] = [];
  for (const c of comments) {
    if (c.line !== lines.length + 1) break;
    lines.push(c.text);
  }
  const after = source.lines[lines.length];
  return after === undefined || after.trim() === '' ? lines : [];
}

/** The run of `//` lines directly above `line` (below the header). */
function docLookup(comments: readonly LineComment[], firstLine: number): (line: number) => string[] {
  const byLine = new Map(comments.filter((c) => c.line > firstLine).map((c) => [c.line, c.text]));
  return (line) => {
    const doc: string[] = [];
    for (let l = line - 1; byLine.has(l); l--) doc.unshift(byLine.get(l)!);
    return doc;
  };
}

function parseDefine(ctx: Ctx): void {
  const { cur } = ctx;
  const hash = cur.next();
  const name = cur.peek();
  if (name.kind !== 'ident' || name.line !== hash.line) cur.fail(name, `expected a name after \`#define\`, found ${describe(name)}`);
  cur.next();
  if (RESERVED.has(name.text)) cur.fail(name, `\`${name.text}\` is a keyword and cannot be #define'd`);
  const value = cur.peek();
  if (value.line !== hash.line) cur.fail(value, `\`#define ${name.text}\` needs a value on the same line`);
  const v = parseConstant(cur, ctx.defines);
  const old = ctx.defines.get(name.text);
  if (old !== undefined && old !== v) cur.fail(name, `\`${name.text}\` is already #define'd as ${old}`);
  ctx.defines.set(name.text, v);
}

function parseDef(ctx: Ctx, doc: string[]): PolicyDef {
  const { cur } = ctx;
  cur.next();
  const nameTok = policyName(cur, 'a POLICY name');
  cur.expect('{', `after \`POLICY ${nameTok.text}\``);
  const body: Entry[] = [];
  const usePlaces: Place[] = [];
  while (!cur.eat('}')) {
    const t = cur.peek();
    if (startsEntry(cur)) parseEntry(ctx, body, usePlaces);
    else cur.fail(t, `expected an action block or \`USE\` in POLICY \`${nameTok.text}\`, found ${describe(t)}`, actionHint(t));
    cur.eat(',');
  }
  const def: PolicyDef = { name: nameTok.text, body, doc };
  recordPlace(def, cur.place(nameTok));
  recordUsePlaces(def, usePlaces);
  return def;
}

/** `USE a, b` (Kafel writes `USE a, USE b`; both read the same) or an action block, appended to `body`.
 * `usePlaces[i]` is where the i-th USE entry of the body was written. */
function parseEntry(ctx: Ctx, body: Entry[], usePlaces: Place[]): void {
  const { cur } = ctx;
  if (!isWord(cur.peek(), 'USE')) {
    body.push(parseBlock(ctx));
    return;
  }
  cur.next();
  for (const n of parseNameList(cur)) {
    body.push({ kind: 'use', name: n.text });
    usePlaces.push(cur.place(n));
  }
}

/** `a, b, c`: stops before a comma that is followed by a keyword (the next item of a POLICY). */
function parseNameList(cur: Cursor): Token[] {
  const names = [policyName(cur, 'a POLICY name')];
  while (cur.isPunct(',') && cur.peek(1).kind === 'ident' && !RESERVED.has(cur.peek(1).text)) {
    cur.next();
    names.push(policyName(cur, 'a POLICY name'));
  }
  return names;
}

function policyName(cur: Cursor, what: string): Token {
  const t = cur.expectIdent(what);
  if (RESERVED.has(t.text)) cur.fail(t, `expected ${what}, found the keyword \`${t.text}\``, 'keywords cannot name a POLICY');
  return t;
}

function actionHint(t: Token): string | undefined {
  return t.kind === 'ident' ? didYouMean(t.text, ACTION_WORDS) : undefined;
}

function parseAction(ctx: Ctx): Action {
  const { cur } = ctx;
  const t = cur.peek();
  if (t.kind !== 'ident') cur.fail(t, `expected an action, found ${describe(t)}`);
  cur.next();
  switch (t.text) {
    case 'ALLOW': return { kind: 'allow' };
    case 'LOG': return { kind: 'log' };
    case 'TRAP': {
      if (!cur.isPunct('(')) return { kind: 'trap' };
      const data = actionData(ctx, 'TRAP', MAX_ACTION_DATA);
      return data === 0 ? { kind: 'trap' } : { kind: 'trap', data };
    }
    case 'KILL':
    case 'KILL_PROCESS': return { kind: 'kill-process' };
    // Kafel's DENY is its KILL, which kills the thread.
    case 'DENY':
    case 'KILL_THREAD': return { kind: 'kill-thread' };
    case 'USER_NOTIF': return { kind: 'user-notif' };
    case 'ERRNO': return { kind: 'errno', errno: actionData(ctx, 'ERRNO', MAX_ERRNO) };
    case 'TRACE':
      return cur.fail(t, 'the TRACE action is not supported', 'with no tracer attached the kernel fails a TRACE\'d call with ENOSYS: write ERRNO(38), or use LOG, TRAP or USER_NOTIF');
    default:
      return cur.fail(t, `unknown action \`${t.text}\``, didYouMean(t.text, ACTION_WORDS)
        ?? (isKnownSyscall(t.text) ? `a rule goes inside an action block: \`ALLOW { ${t.text} }\`` : `actions are ${ACTION_WORDS.join(', ')}`));
  }
}

/** `(n)` after ERRNO or TRAP. */
function actionData(ctx: Ctx, action: string, max: number): number {
  const { cur } = ctx;
  cur.expect('(', `after \`${action}\``);
  const n = cur.peek();
  const value = parseConstant(cur, ctx.defines);
  if (value > BigInt(max)) cur.fail(n, `${action} value ${value} is out of range (0..${max})`);
  cur.expect(')', `to close \`${action}(\``);
  return Number(value);
}

function parseBlock(ctx: Ctx): ActionBlock {
  const { cur } = ctx;
  const action = parseAction(ctx);
  cur.expect('{', 'to open the rule list');
  const rules: Rule[] = [];
  while (!cur.eat('}')) {
    rules.push(parseRule(ctx));
    if (!cur.isPunct('}')) cur.expect(',', 'or `}` after a rule');
  }
  // Canonical order: by syscall name; stable, so rules for one syscall keep their written order. Every rule
  // of a block gives the same action, so this cannot change which action a call gets.
  return { kind: 'block', action, rules: rules.sort((a, b) => (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0)) };
}

function parseRule(ctx: Ctx): Rule {
  const { cur } = ctx;
  const t = cur.peek();
  const syscall = parseSyscallId(ctx);
  let params: string[] = [];
  let declared = false;
  if (cur.eat('(')) {
    declared = true;
    while (!cur.eat(')')) {
      const p = cur.expectIdent('an argument name');
      if (RESERVED.has(p.text)) cur.fail(p, `\`${p.text}\` is a keyword and cannot name an argument`);
      if (params.includes(p.text)) cur.fail(p, `argument \`${p.text}\` is named twice`);
      if (params.length === MAX_PARAMS) cur.fail(p, `a syscall has at most ${MAX_PARAMS} arguments`);
      params.push(p.text);
      if (!cur.isPunct(')')) cur.expect(',', 'or `)` after an argument name');
    }
  }
  const on = isWord(cur.peek(), 'ON') ? parseGuard(cur) : undefined;
  let when = null;
  if (cur.eat('{')) {
    if (!cur.eat('}')) {
      when = parseCondition(cur, { syscall, params, implicit: !declared, defines: ctx.defines });
      cur.expect('}', 'to close the condition');
    }
  }
  if (when === null) params = [];
  const rule: Rule = on === undefined ? { syscall, params, when } : { syscall, params, when, on };
  recordPlace(rule, cur.place(t));
  return rule;
}

/** A syscall name, a #define'd number, or `SYSCALL[n]`: numbers become `SYSCALL[n]` (n as the kernel sees it). */
function parseSyscallId(ctx: Ctx): string {
  const { cur } = ctx;
  const t = cur.next();
  if (isWord(t, 'SYSCALL')) {
    cur.expect('[', 'after `SYSCALL`');
    const n = cur.peek();
    const value = syscallNumberValue(cur, n, parseConstant(cur, ctx.defines));
    cur.expect(']', 'to close `SYSCALL[`');
    return `SYSCALL[${value}]`;
  }
  if (t.kind !== 'ident') return cur.fail(t, `expected a syscall name, found ${describe(t)}`);
  // As in Kafel, a #define'd name stands for its number, even where a syscall has that name.
  const defined = ctx.defines.get(t.text);
  if (defined !== undefined) return `SYSCALL[${syscallNumberValue(cur, t, defined)}]`;
  if (RESERVED.has(t.text)) return cur.fail(t, `expected a syscall name, found the keyword \`${t.text}\``, 'a rule list holds syscalls; close it with `}` first');
  if (!isKnownSyscall(t.text)) {
    const candidates = ctx.options.arch ? syscallNames(ctx.options.arch) : (knownNames ?? []);
    cur.fail(t, `unknown syscall \`${t.text}\``, didYouMean(t.text, candidates) ?? 'for a number no table names, write `SYSCALL[n]`');
  }
  return t.text;
}

/** The kernel compares the 32-bit `nr`: -1 is 0xffffffff; anything else that does not fit is refused. */
function syscallNumberValue(cur: Cursor, at: Token, value: bigint): number {
  if (value <= 0xffffffffn) return Number(value);
  if (value >= (1n << 64n) - (1n << 31n)) return Number(value & 0xffffffffn);
  return cur.fail(at, `syscall number ${value} does not fit the 32-bit syscall number`);
}

/** `ON x86_64` or `ON { x86_64, aarch64 }`. */
function parseGuard(cur: Cursor): GuardArch[] {
  cur.next();
  const braced = cur.eat('{');
  const out: GuardArch[] = [];
  do {
    const t = cur.expectIdent('an architecture name');
    const lower = t.text.toLowerCase();
    const arch = GUARD_ALIASES[lower] ?? (GUARD_ARCHES as readonly string[]).find((a) => a === lower);
    if (arch === undefined) cur.fail(t, `unknown architecture \`${t.text}\``, didYouMean(t.text, GUARD_ARCHES) ?? `architectures are ${GUARD_ARCHES.join(', ')}`);
    if (out.includes(arch as GuardArch)) cur.fail(t, `architecture \`${t.text}\` is listed twice`);
    out.push(arch as GuardArch);
  } while (braced && cur.eat(','));
  if (braced) cur.expect('}', 'to close the architecture list');
  return out;
}
