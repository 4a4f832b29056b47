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
  { name: 'unknown action', text: 'POLICY p {\n  NOPE { read }\n}', at: '2:3', message: 'unknown action `NOPE`' },
  { name: 'misspelled action', text: 'POLICY p {\n  ALOW { read }\n}', at: '2:3', message: 'unknown action `ALOW`', hint: 'did you mean `ALLOW`?' },
  { name: 'ERRNO out of range', text: 'POLICY p { ERRNO(5000) { read } }', at: '1:18', message: 'ERRNO value 5000 is out of range (0..4095)' },
  { name: 'ERRNO without parentheses', text: 'POLICY p { ERRNO 1 { read } }', at: '1:18', message: 'expected `(` after `ERRNO`' },
  { name: 'TRACE is not supported', text: 'POLICY p { TRACE(1) { read } }', at: '1:12', message: 'TRACE action is not supported' },
  { name: 'an action where DEFAULT belongs', text: 'USE a KILL', at: '1:11', message: 'expected `{` to open the rule list, found end of file' },
  { name: 'unknown default action', text: 'USE a DEFAULT NOPE', at: '1:15', message: 'unknown action `NOPE`' },
  { name: 'second DEFAULT', text: 'POLICY a {}\nUSE a DEFAULT KILL\nUSE a DEFAULT KILL', at: '3:7', message: 'a second `DEFAULT` (the first is at line 2)' },
  { name: 'POLICY defined twice', text: 'POLICY a {}\n\nPOLICY a {}', at: '3:8', message: 'POLICY `a` is defined twice (first at line 1)' },
  { name: 'hex number beyond 64 bits', text: P('read(fd) { fd == 0x10000000000000000 }'), at: '2:28', message: 'out of the 64-bit range' },
  { name: 'decimal number beyond 64 bits', text: P('read(fd) { fd == 18446744073709551616 }'), at: '2:28', message: 'number `18446744073709551616` is out of the 64-bit range' },
  { name: 'negative number beyond 64 bits', text: P('read(fd) { fd == -9223372036854775809 }'), at: '2:29', message: 'number `-9223372036854775809` is out of the 64-bit range' },
  { name: 'not octal', text: P('read(fd) { fd == 0789 }'), at: '2:28', message: 'number `0789` is not octal' },
  { name: 'binary digits', text: P('read(fd) { fd == 0b102 }'), at: '2:28', message: 'malformed number `0b102`' },
  { name: 'malformed number', text: P('read(fd) { fd == 12abc }'), at: '2:28', message: 'malformed number `12abc`' },
  { name: 'unknown #define', text: P('read(fd) { fd == STDIN }'), at: '2:28', message: 'unknown name `STDIN`: not an argument of `read(fd)` and no #define' },
  { name: 'argument not in the parameter list', text: P('socket(domain, type) { protocol == 0 }'), at: '2:34', message: 'unknown name `protocol`' },
  { name: 'did you mean an argument', text: P('socket(domain) { domian == 2 }'), at: '2:28', message: 'unknown name `domian`', hint: 'did you mean `domain`?' },
  { name: 'did you mean a #define', text: `#define AF_INET 2\n${P('socket(domain) { domain == AF_INTE }')}`, at: '3:38', message: 'unknown name `AF_INTE`', hint: 'did you mean `AF_INET`?' },
  { name: 'unterminated comment', text: 'POLICY p {\n  /* never closed\n}\n', at: '2:3', message: 'unterminated comment' },
  { name: 'unexpected character', text: P('read; write'), at: '2:15', message: 'unexpected character `;`' },
  { name: 'unknown directive', text: '#pragma once\n', at: '1:1', message: 'unknown directive `#pragma`' },
  { name: '#include without quotes', text: '#include <stdio.h>\n', at: '1:1', message: '`#include` needs a file name in double quotes' },
  { name: '#include with nothing to read from', text: '#include "a.policy"\n', at: '1:10', message: '`#include` is not available here' },
  { name: '#define without a value', text: '#define X\nPOLICY p {}\n', at: '2:1', message: '`#define X` needs a value on the same line' },
  { name: '#define redefined differently', text: '#define X 1\n#define X 2\n', at: '2:9', message: '`X` is already #define\'d as 1' },
  { name: 'chained comparison', text: P('read(a) { a < 1 < 2 }'), at: '2:27', message: 'comparisons cannot be chained' },
  { name: '`|` on an argument', text: P('read(a) { (a | 1) == 1 }'), at: '2:22', message: '`|` with an argument is not supported' },
  { name: '`&` of two arguments', text: P('read(a, b) { (a & b) == 1 }'), at: '2:25', message: '`&` between two arguments is not supported' },
  { name: 'a number as a condition', text: P('read(a) { 1 }'), at: '2:21', message: 'a number is not a condition' },
  { name: 'condition not closed', text: P('read(a) { a == 1 ) }'), at: '2:28', message: 'expected `}` to close the condition, found `)`' },
  { name: 'kernel parameter names', text: P('read { fd == 0 }'), at: '2:18', message: 'unknown name `fd`: `read` has no argument list, so its arguments are arg0..arg5' },
  { name: 'keyword as an argument name', text: P('read(ON) { ON == 0 }'), at: '2:16', message: '`ON` is a keyword and cannot name an argument' },
  { name: 'keyword as a #define', text: '#define SYSCALL 1\n', at: '1:9', message: '`SYSCALL` is a keyword' },
  { name: 'TRACE as a POLICY name', text: 'POLICY TRACE {}', at: '1:8', message: 'found the keyword `TRACE`' },
  { name: 'define as a POLICY name', text: 'POLICY define {}', at: '1:8', message: 'found the keyword `define`' },
  { name: 'DENY as a POLICY name', text: 'POLICY DENY {}', at: '1:8', message: 'found the keyword `DENY`' },
  { name: 'SYSCALL as a POLICY name', text: 'POLICY SYSCALL {}', at: '1:8', message: 'found the keyword `SYSCALL`' },
  { name: 'SYSCALL number beyond 32 bits', text: P('SYSCALL[0x100000000]'), at: '2:19', message: 'does not fit the 32-bit syscall number' },
  { name: 'unknown ON arch', text: P('read ON vax'), at: '2:19', message: 'unknown architecture `vax`' },
  { name: 'nesting beyond 200', text: P(`read { ${'('.repeat(201)}arg0 == 0${')'.repeat(201)} }`), at: '2:218', message: 'condition nested more than 200 levels deep' },
  { name: '`!` beyond 200', text: P(`read { ${'!'.repeat(201)}arg0 == 0 }`), at: '2:218', message: 'condition nested more than 200 levels deep' },
  { name: 'argument named twice', text: P('read(a, a) { a == 1 }'), at: '2:19', message: 'argument `a` is named twice' },
  { name: 'more than six arguments', text: P('read(a, b, c, d, e, f, g) { a == 1 }'), at: '2:34', message: 'at most 6 arguments' },
  { name: 'missing comma between rules', text: P('read write'), at: '2:16', message: 'expected `,` or `}` after a rule, found `write`' },
  { name: 'POLICY not closed', text: 'POLICY p {\n  ALLOW { read }\n', at: '3:1', message: 'expected an action block or `USE` in POLICY `p`, found end of file' },
  { name: 'keyword as a POLICY name', text: 'POLICY ALLOW {}', at: '1:8', message: 'found the keyword `ALLOW`' },
  { name: 'rule outside a block', text: 'read', at: '1:1', message: 'expected `POLICY`, `USE`, an action block, `DEFAULT` or `#define`, found `read`' },
  { name: 'rule with a condition outside a block', text: 'read { arg0 == 0 }', at: '1:1', message: 'unknown action `read`', hint: 'a rule goes inside an action block: `ALLOW { read }`' },
  { name: 'rule directly in a POLICY', text: 'POLICY p { read }', at: '1:12', message: 'expected an action block or `USE` in POLICY `p`, found `read`' },
  { name: '`!` without an operand', text: P('read(a) { ! }'), at: '2:23', message: 'expected an argument, a number or `(`, found `}`' },
  { name: '`-` without a number', text: P('read(a) { a == -a }'), at: '2:27', message: 'expected a number after `-`' },
  // Found by the resolver: they need every POLICY in view.
  { name: 'unknown POLICY in USE', text: 'POLICY net {}\nUSE nett DEFAULT KILL', at: '2:5', message: 'unknown POLICY `nett`', hint: 'did you mean `net`?' },
  { name: 'unknown POLICY in a nested USE', text: 'POLICY a {\n  USE b\n}\nUSE a DEFAULT KILL', at: '2:7', message: 'unknown POLICY `b`' },
  { name: 'USE cycle', text: 'POLICY a { USE b }\nPOLICY b { USE a }\nUSE a DEFAULT KILL', at: '2:16', message: 'USE cycle: a → b → a' },
  { name: 'constant wider than a 32-bit argument', text: 'ALLOW { fcntl { arg0 == 0x100001234 } }', at: '1:25', message: '`arg0` of `fcntl` is a 32-bit argument: the constant 0x100001234 does not fit in 32 bits' },
  { name: 'mask wider than a 32-bit argument', text: 'ALLOW { fcntl(fd) { (fd & 0x100000001) == 1 } }', at: '1:43', message: 'the mask 0x100000001 has bits above the low 32' },
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
