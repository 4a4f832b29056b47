// The policy language (a Kafel subset) → PolicyFile. Syntax, unknown names and bad values are reported
// here with file:line:col; what needs other files (USE of a catalog category, conflicts) is the resolver's.
import { ARCHES, type Arch } from '../abi/arch.js';
import type { Place } from '../errors.js';
import type { Action, ActionBlock, PolicyDef, PolicyFile, Rule } from '../policy/model.js';
import { syscallNames } from '../syscalls/table.js';
import { Cursor, describe } from './cursor.js';
import { didYouMean, failAt, makeSource, type Source } from './diagnostics.js';
import { parseCondition, parseConstant } from './expr-parser.js';
import { lex, type LineComment, type Token } from './lexer.js';
import { placeOf, recordPlace, recordUsePlaces } from './places.js';

export interface ParseOptions {
  /** Suggest names from this arch's table in "did you mean" hints (names are accepted if any arch has them). */
  readonly arch?: Arch;
}

const ACTION_WORDS = ['ALLOW', 'LOG', 'ERRNO', 'TRAP', 'KILL', 'KILL_PROCESS', 'KILL_THREAD', 'USER_NOTIF'];
const RESERVED = new Set(['POLICY', 'USE', 'DEFAULT', ...ACTION_WORDS]);
export const MAX_ERRNO = 4095;
const MAX_PARAMS = 6;

let knownNames: ReadonlySet<string> | undefined;
/** Names any of our arches has: categories are arch-neutral, so only a name unknown everywhere is an error. */
export function isKnownSyscall(name: string): boolean {
  knownNames ??= new Set(ARCHES.flatMap((a) => syscallNames(a)));
  return knownNames.has(name);
}

export function parsePolicy(text: string, file: string, options: ParseOptions = {}): PolicyFile {
  const source = makeSource(text, file);
  const { tokens, comments } = lex(source);
  const cur = new Cursor(source, tokens);
  const header = headerLines(source, comments);
  const docFor = docLookup(comments, header.length === 0 ? 0 : header.length + 1);
  const ctx: Ctx = { cur, defines: new Map(), options };
  const defs: PolicyDef[] = [];
  const seen = new Map<string, Place>();
  let use: PolicyFile['use'] = null;
  for (let t = cur.peek(); t.kind !== 'eof'; t = cur.peek()) {
    if (t.kind === 'define') parseDefine(ctx);
    else if (t.kind === 'ident' && t.text === 'POLICY') {
      const def = parseDef(ctx, docFor(t.line));
      const at = placeOf(def)!;
      const before = seen.get(def.name);
      if (before) failAt(at, `POLICY \`${def.name}\` is defined twice (first at line ${before.line})`);
      seen.set(def.name, at);
      defs.push(def);
    } else if (t.kind === 'ident' && t.text === 'USE') {
      if (use) cur.fail(t, 'a second top-level `USE ... DEFAULT` line', 'list every POLICY in one USE');
      use = parseTopUse(ctx);
    } else cur.fail(t, `expected \`POLICY\`, \`USE\` or \`#define\`, found ${describe(t)}`);
  }
  return { header, defs, use };
}

interface Ctx {
  readonly cur: Cursor;
  readonly defines: Map<string, bigint>;
  readonly options: ParseOptions;
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
  const uses: string[] = [];
  const usePlaces: Place[] = [];
  const blocks: ActionBlock[] = [];
  while (!cur.eat('}')) {
    const t = cur.peek();
    if (t.kind === 'ident' && t.text === 'USE') {
      cur.next();
      for (const n of parseNameList(cur)) {
        uses.push(n.text);
        usePlaces.push(cur.place(n));
      }
    } else if (t.kind === 'ident' && (ACTION_WORDS.includes(t.text) || !isKnownSyscall(t.text))) {
      blocks.push(parseBlock(ctx));
    } else {
      cur.fail(t, `expected an action block or \`USE\` in POLICY \`${nameTok.text}\`, found ${describe(t)}`, actionHint(t));
    }
    cur.eat(',');
  }
  const def: PolicyDef = { name: nameTok.text, uses, blocks, doc };
  recordPlace(def, cur.place(nameTok));
  recordUsePlaces(def, usePlaces);
  return def;
}

function parseTopUse(ctx: Ctx): NonNullable<PolicyFile['use']> {
  const { cur } = ctx;
  cur.next();
  const names = parseNameList(cur);
  const d = cur.peek();
  if (!(d.kind === 'ident' && d.text === 'DEFAULT')) cur.fail(d, `expected \`DEFAULT\` and an action after the USE list, found ${describe(d)}`);
  cur.next();
  const use = { names: names.map((n) => n.text), defaultAction: parseAction(ctx) };
  recordUsePlaces(use, names.map((n) => cur.place(n)));
  return use;
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
  if (RESERVED.has(t.text)) cur.fail(t, `expected ${what}, found the keyword \`${t.text}\``);
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
    case 'TRAP': return { kind: 'trap' };
    case 'KILL':
    case 'KILL_PROCESS': return { kind: 'kill-process' };
    case 'KILL_THREAD': return { kind: 'kill-thread' };
    case 'USER_NOTIF': return { kind: 'user-notif' };
    case 'ERRNO': {
      cur.expect('(', 'after `ERRNO`');
      const n = cur.peek();
      const value = parseConstant(cur, ctx.defines);
      if (value > BigInt(MAX_ERRNO)) cur.fail(n, `ERRNO value ${value} is out of range (0..${MAX_ERRNO})`);
      cur.expect(')', 'to close `ERRNO(`');
      return { kind: 'errno', errno: Number(value) };
    }
    case 'TRACE':
      return cur.fail(t, 'the TRACE action is not supported', 'use LOG, TRAP or USER_NOTIF');
    default:
      return cur.fail(t, `unknown action \`${t.text}\``, didYouMean(t.text, ACTION_WORDS) ?? `actions are ${ACTION_WORDS.join(', ')}`);
  }
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
  // Canonical order: by syscall name; stable, so rules for one syscall keep their written order.
  return { action, rules: rules.sort((a, b) => (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0)) };
}

function parseRule(ctx: Ctx): Rule {
  const { cur } = ctx;
  const t = cur.peek();
  if (t.kind !== 'ident') cur.fail(t, `expected a syscall name, found ${describe(t)}`);
  if (!isKnownSyscall(t.text)) {
    const candidates = ctx.options.arch ? syscallNames(ctx.options.arch) : (knownNames ?? []);
    cur.fail(t, `unknown syscall \`${t.text}\``, didYouMean(t.text, candidates));
  }
  cur.next();
  if (cur.isPunct('{')) cur.fail(cur.peek(), `a condition needs the argument names first: \`${t.text}(a0, a1, ...) { ... }\``);
  let rule: Rule = { syscall: t.text, params: [], when: null };
  if (cur.eat('(')) {
    const params: string[] = [];
    while (!cur.eat(')')) {
      const p = cur.expectIdent('an argument name');
      if (params.includes(p.text)) cur.fail(p, `argument \`${p.text}\` is named twice`);
      if (params.length === MAX_PARAMS) cur.fail(p, `a syscall has at most ${MAX_PARAMS} arguments`);
      params.push(p.text);
      if (!cur.isPunct(')')) cur.expect(',', 'or `)` after an argument name');
    }
    cur.expect('{', `with the condition after \`${t.text}(${params.join(', ')})\``);
    const when = parseCondition(cur, { syscall: t.text, params, defines: ctx.defines });
    cur.expect('}', 'to close the condition');
    rule = { syscall: t.text, params, when };
  }
  recordPlace(rule, cur.place(t));
  return rule;
}
