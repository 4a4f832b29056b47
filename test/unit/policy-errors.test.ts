// Malformed policies: each must fail with an InputError at the exact line:col, naming the problem.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePolicy } from '../../src/catalog/parser.js';
import { InputError } from '../../src/errors.js';
import { resolvePolicy } from '../../src/policy/resolve.js';

const t = suite('policy/errors');

interface Case {
  readonly name: string;
  readonly text: string;
  /** `line:col` of the error. */
  readonly at: string;
  readonly message: string;
  readonly hint?: string;
}

const P = (rules: string) => `POLICY p {\n  ALLOW { ${rules} }\n}\n`;
// In P(...), the rules start on line 2 at column 11.

const CASES: Case[] = [
  { name: 'unknown syscall', text: P('read, opneat'), at: '2:17', message: 'unknown syscall `opneat`', hint: 'did you mean `openat`?' },
  { name: 'unknown syscall without a close name', text: P('zzzzzzzz'), at: '2:11', message: 'unknown syscall `zzzzzzzz`' },
  { name: 'unknown action', text: 'POLICY p {\n  DENY { read }\n}', at: '2:3', message: 'unknown action `DENY`' },
  { name: 'misspelled action', text: 'POLICY p {\n  ALOW { read }\n}', at: '2:3', message: 'unknown action `ALOW`', hint: 'did you mean `ALLOW`?' },
  { name: 'ERRNO out of range', text: 'POLICY p { ERRNO(5000) { read } }', at: '1:18', message: 'ERRNO value 5000 is out of range (0..4095)' },
  { name: 'ERRNO without parentheses', text: 'POLICY p { ERRNO 1 { read } }', at: '1:18', message: 'expected `(` after `ERRNO`' },
  { name: 'TRACE is not supported', text: 'POLICY p { TRACE(1) { read } }', at: '1:12', message: 'TRACE action is not supported' },
  { name: 'missing DEFAULT at end of file', text: 'POLICY a { ALLOW { read } }\nUSE a', at: '2:6', message: 'expected `DEFAULT`' },
  { name: 'missing DEFAULT before an action', text: 'USE a KILL', at: '1:7', message: 'expected `DEFAULT` and an action after the USE list, found `KILL`' },
  { name: 'unknown default action', text: 'USE a DEFAULT NOPE', at: '1:15', message: 'unknown action `NOPE`' },
  { name: 'second top-level USE', text: 'POLICY a {}\nUSE a DEFAULT KILL\nUSE a DEFAULT KILL', at: '3:1', message: 'a second top-level `USE ... DEFAULT` line' },
  { name: 'POLICY defined twice', text: 'POLICY a {}\n\nPOLICY a {}', at: '3:8', message: 'POLICY `a` is defined twice (first at line 1)' },
  { name: 'hex number beyond 64 bits', text: P('read(fd) { fd == 0x10000000000000000 }'), at: '2:28', message: 'out of the 64-bit range' },
  { name: 'decimal number beyond 64 bits', text: P('read(fd) { fd == 18446744073709551616 }'), at: '2:28', message: 'number `18446744073709551616` is out of the 64-bit range' },
  { name: 'negative number beyond 64 bits', text: P('read(fd) { fd == -9223372036854775809 }'), at: '2:29', message: 'number `-9223372036854775809` is out of the 64-bit range' },
  { name: 'octal-looking number', text: P('read(fd) { fd == 0755 }'), at: '2:28', message: 'number `0755` has a leading zero' },
  { name: 'malformed number', text: P('read(fd) { fd == 12abc }'), at: '2:28', message: 'malformed number `12abc`' },
  { name: 'unknown #define', text: P('read(fd) { fd == STDIN }'), at: '2:28', message: 'unknown name `STDIN`: not an argument of `read(fd)` and no #define' },
  { name: 'argument not in the parameter list', text: P('socket(domain, type) { protocol == 0 }'), at: '2:34', message: 'unknown name `protocol`' },
  { name: 'did you mean an argument', text: P('socket(domain) { domian == 2 }'), at: '2:28', message: 'unknown name `domian`', hint: 'did you mean `domain`?' },
  { name: 'did you mean a #define', text: `#define AF_INET 2\n${P('socket(domain) { domain == AF_INTE }')}`, at: '3:38', message: 'unknown name `AF_INTE`', hint: 'did you mean `AF_INET`?' },
  { name: 'unterminated comment', text: 'POLICY p {\n  /* never closed\n}\n', at: '2:3', message: 'unterminated comment' },
  { name: 'unexpected character', text: P('read; write'), at: '2:15', message: 'unexpected character `;`' },
  { name: 'unknown directive', text: '#include <stdio.h>\n', at: '1:1', message: 'unknown directive `#include`' },
  { name: '#define without a value', text: '#define X\nPOLICY p {}\n', at: '2:1', message: '`#define X` needs a value on the same line' },
  { name: '#define redefined differently', text: '#define X 1\n#define X 2\n', at: '2:9', message: '`X` is already #define\'d as 1' },
  { name: 'comparing two arguments', text: P('read(a, b) { a == b }'), at: '2:26', message: 'comparing two arguments is not supported' },
  { name: 'comparison without an argument', text: P('read(a) { 1 == 2 }'), at: '2:23', message: 'a comparison needs an argument on one side' },
  { name: 'chained comparison', text: P('read(a) { a < 1 < 2 }'), at: '2:27', message: 'comparisons cannot be chained' },
  { name: '`|` on an argument', text: P('read(a) { (a | 1) == 1 }'), at: '2:24', message: '`|` can only combine constants' },
  { name: 'a number as a condition', text: P('read(a) { 1 }'), at: '2:21', message: 'a number is not a condition' },
  { name: 'condition not closed', text: P('read(a) { a == 1 ) }'), at: '2:28', message: 'expected `}` to close the condition, found `)`' },
  { name: 'parameters without a condition', text: P('read(a)'), at: '2:19', message: 'expected `{` with the condition after `read(a)`' },
  { name: 'condition without argument names', text: P('read { fd == 0 }'), at: '2:16', message: 'a condition needs the argument names first: `read(a0, a1, ...) { ... }`' },
  { name: 'argument named twice', text: P('read(a, a) { a == 1 }'), at: '2:19', message: 'argument `a` is named twice' },
  { name: 'more than six arguments', text: P('read(a, b, c, d, e, f, g) { a == 1 }'), at: '2:34', message: 'at most 6 arguments' },
  { name: 'missing comma between rules', text: P('read write'), at: '2:16', message: 'expected `,` or `}` after a rule, found `write`' },
  { name: 'POLICY not closed', text: 'POLICY p {\n  ALLOW { read }\n', at: '3:1', message: 'expected an action block or `USE` in POLICY `p`, found end of file' },
  { name: 'keyword as a POLICY name', text: 'POLICY ALLOW {}', at: '1:8', message: 'found the keyword `ALLOW`' },
  { name: 'rule outside a POLICY', text: 'read', at: '1:1', message: 'expected `POLICY`, `USE` or `#define`, found `read`' },
  { name: 'rule directly in a POLICY', text: 'POLICY p { read }', at: '1:12', message: 'expected an action block or `USE` in POLICY `p`, found `read`' },
  { name: '`!` without an operand', text: P('read(a) { ! }'), at: '2:23', message: 'expected an argument, a number or `(`, found `}`' },
  { name: '`-` without a number', text: P('read(a) { a == -a }'), at: '2:27', message: 'expected a number after `-`' },
  // Found by the resolver: they need every POLICY in view.
  { name: 'unknown POLICY in USE', text: 'POLICY net {}\nUSE nett DEFAULT KILL', at: '2:5', message: 'unknown POLICY `nett`', hint: 'did you mean `net`?' },
  { name: 'unknown POLICY in a nested USE', text: 'POLICY a {\n  USE b\n}\nUSE a DEFAULT KILL', at: '2:7', message: 'unknown POLICY `b`' },
  { name: 'USE cycle', text: 'POLICY a { USE b }\nPOLICY b { USE a }\nUSE a DEFAULT KILL', at: '2:16', message: 'USE cycle: a → b → a' },
  {
    name: 'one syscall, two unconditional actions',
    text: 'POLICY a { ALLOW { read } }\nPOLICY b { ERRNO(1) { read } }\nUSE a, b DEFAULT KILL',
    at: '2:23',
    message: '`read` gets ERRNO(1) here but ALLOW in POLICY `a` (t.policy:1:20)',
  },
];

for (const c of CASES) {
  t(c.name, () => {
    let error: unknown;
    try {
      resolvePolicy(parsePolicy(c.text, 't.policy'), 'x86_64');
    } catch (e) {
      error = e;
    }
    if (!(error instanceof InputError)) throw new Error(`expected an InputError, got ${String(error)}`);
    assert.is(`${error.place.line}:${error.place.col}`, c.at, error.message);
    assert.is(error.place.file, 't.policy');
    assert.ok(error.message.startsWith(`t.policy:${c.at}: `), error.message);
    assert.ok(error.message.includes(c.message), `"${error.message}" lacks "${c.message}"`);
    assert.is(error.place.text, c.text.split('\n')[error.place.line - 1] ?? '');
    if (c.hint !== undefined) assert.is(error.hint, c.hint);
  });
}

t('there are at least 30 cases', () => {
  assert.ok(CASES.length >= 30);
});

t.run();
