// The reviewer's view: sentences per risk level first, rows by risk then category, risk by arguments, the
// gate on risk levels, and the CI formats (GitHub annotations per level, GitLab Code Quality).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { blocksOf } from '../../src/policy/model.js';
import { Chalk } from 'chalk';
import { gateFails, parseFailOn } from '../../src/diff/gate.js';
import { plainExpr } from '../../src/diff/plain.js';
import { renderGithub } from '../../src/diff/render-github.js';
import { renderGitlab } from '../../src/diff/render-gitlab.js';
import { renderMarkdown } from '../../src/diff/render-markdown.js';
import { renderText } from '../../src/diff/render-text.js';
import { rowLines } from '../../src/diff/review-lines.js';
import { reviewDiff, sentenceText } from '../../src/diff/review.js';
import { diffPolicies } from '../../src/diff/semantic.js';
import { UsageError } from '../../src/errors.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { diffTexts, side } from './diff-fixtures.js';

const t = suite('diff/review');
const plain = new Chalk({ level: 0 });

const OLD = `POLICY app_extra { ALLOW { getpid, socket(domain, type, protocol) { domain == 1 } } }
USE Base, app_extra DEFAULT KILL`;
/** The drift of the issue: outbound TCP, plus a category of low-risk calls pulled in by one call. */
const NEW = `POLICY app_extra { ALLOW { getpid, socket(domain, type, protocol) { domain == 1 || domain == 2 && (type & 0x7ff) == 1 } } }
USE Base, Files, app_extra DEFAULT KILL`;

t('the AF_INET socket is high, summed up in the first three lines of text and markdown', () => {
  const diff = diffTexts(OLD, NEW);
  const review = reviewDiff(diff);
  assert.equal(review.sentences.map(sentenceText), ['1 high: now creates AF_INET TCP sockets', '4 low via Files']);
  assert.match(renderText(diff, plain).split('\n').slice(0, 3).join('\n'), /1 high: now creates AF_INET TCP sockets/);
  assert.match(renderMarkdown(diff).split('\n').slice(0, 3).join('\n'), /\*\*1 high\*\*: now creates AF_INET TCP sockets/);
  assert.equal(review.rows.map((r) => `${r.band}:${r.category}:${r.change.syscall}`),
    ['high:app_extra:socket', 'low:Files:getdents64', 'low:Files:lseek', 'low:Files:newfstatat', 'low:Files:openat']);
});

t('a category pulled in by one observed call says so', () => {
  const after = { ...side(NEW, 'new.policy'), observed: new Map([['openat', 3], ['getpid', 1]]) };
  const review = reviewDiff(diffPolicies(side(OLD, 'old.policy'), after));
  assert.equal(review.pulledIn.map((c) => [c.name, c.observed]), [['Files', ['openat']]]);
  const text = renderText(diffPolicies(side(OLD, 'old.policy'), after), plain);
  assert.match(text, /Files — added for 1 observed call \(openat\); it grants 3 more never seen/);
  assert.match(text, /\+ getdents64, lseek, newfstatat, openat/); // low rows of one category on one line
});

t('a default-action change comes first, and is critical when it loosens', () => {
  const diff = diffTexts(OLD, NEW.replace('DEFAULT KILL', 'DEFAULT LOG'));
  const lines = renderText(diff, plain).split('\n');
  assert.match(lines[1]!, /^ {2}critical: default action KILL → LOG: every syscall the policy does not list is now allowed$/);
  assert.match(renderMarkdown(diff).split('\n')[1]!, /critical\*\*: default action KILL → LOG/);
  const table = renderMarkdown(diff).split('\n').filter((l) => l.startsWith('| '));
  assert.match(table[1]!, /^\| 🔴 critical \| — \| default action \|/);
  assert.ok(gateFails(diff, parseFailOn('risk>=critical')));
  // Calls the default now lets through are said to come from it, not from "explicit rules".
  assert.ok(reviewDiff(diff).rows.some((r) => r.change.syscall === 'ptrace' && r.category === 'default action'));
});

t('a widened rule reads before → after in plain words, with "any arguments" rather than a tautology', () => {
  const diff = diffTexts(OLD, `POLICY app_extra { ALLOW { getpid, socket(domain, type, protocol) { domain == 1 } } }
USE Base, app_extra DEFAULT LOG`);
  const socket = rowLines(reviewDiff(diff)).find((l) => l.syscalls.includes('socket'))!;
  assert.is(socket.beforeAfter, 'domain is AF_UNIX → any arguments');
  assert.is(socket.band, 'high');
  assert.not.match(renderText(diff, plain) + renderMarkdown(diff), /!\(/);
});

t('risk by arguments: AF_UNIX only is medium, a namespace clone and execve are high', () => {
  const base = 'POLICY p { ALLOW { getpid } }\nUSE Base, p DEFAULT KILL';
  const with_ = (rule: string) => reviewDiff(diffTexts(base, `POLICY p { ALLOW { getpid, ${rule} } }\nUSE Base, p DEFAULT KILL`)).rows[0]!;
  const unix = with_('socket(domain, type, protocol) { domain == 1 }');
  assert.is(unix.band, 'medium');
  assert.is(unix.headline, 'now creates AF_UNIX sockets');
  const netlink = with_('socket(domain, type, protocol) { domain == 16 }');
  assert.is(netlink.band, 'high');
  assert.match(netlink.headline, /^now creates AF_NETLINK /);
  const threads = with_('clone(flags) { (flags & 0x7e020000) == 0 }');
  assert.is(threads.band, 'medium');
  const ns = with_('clone(flags) { (flags & 0x10000000) == 0x10000000 }');
  assert.is(ns.band, 'high');
  assert.match(ns.headline, /CLONE_NEWUSER/);
  assert.is(with_('execve').band, 'high');
  assert.is(with_('setuid').band, 'high');
  assert.is(with_('unshare').band, 'high');
});

t('--fail-on: risk>=LEVEL, risky as risk>=high, bad values refused', () => {
  const diff = diffTexts(OLD, NEW);
  assert.equal(parseFailOn('risky'), ['risk>=high']);
  assert.ok(gateFails(diff, parseFailOn('risk>=high')));
  assert.ok(gateFails(diff, parseFailOn('risky')));
  assert.not.ok(gateFails(diff, parseFailOn('risk>=critical')));
  assert.not.ok(gateFails(diff, parseFailOn('removed')));
  assert.throws(() => parseFailOn('risk>=severe'), (e: unknown) => e instanceof UsageError && /risk>=high/.test(e.message));
});

t('GitHub: one annotation per risk level, highest first, at the rule that names the first syscall', () => {
  const before = side(OLD, 'old.policy');
  const diff = diffPolicies(before, side(NEW.replace('DEFAULT KILL', 'DEFAULT LOG'), 'new.policy'));
  const annotations = renderGithub(diff, before.source).trimEnd().split('\n');
  assert.equal(annotations.map((a) => /^::(\w+) file=old\.policy,line=\d+::seccomp drift: (?:\d+ )?(\w+)/.exec(a)?.slice(1).join(' ')),
    ['error critical', 'error high', 'warning medium', 'notice low']);
  assert.match(annotations[0]!, /^::error file=old\.policy,line=2::seccomp drift: critical: default action KILL → LOG/);
  const tight = diffPolicies(side(NEW, 'new.policy'), side(OLD, 'old.policy'));
  assert.is(renderGithub(tight, side(NEW, 'new.policy').source).trimEnd().split('\n').length, 1);
});

t('GitLab: a Code Quality report (description, check_name, unique fingerprint, severity, location)', () => {
  const before = side(OLD, 'old.policy');
  const issues = JSON.parse(renderGitlab(diffPolicies(before, side(NEW, 'new.policy')), before.source, 'policies/old.policy')) as {
    description: string; check_name: string; fingerprint: string; severity: string; location: { path: string; lines: { begin: number } };
  }[];
  assert.is(issues.length, 2); // socket, and the Files calls together
  for (const i of issues) {
    assert.ok(['info', 'minor', 'major', 'critical', 'blocker'].includes(i.severity));
    assert.is(i.location.path, 'policies/old.policy');
    assert.ok(Number.isInteger(i.location.lines.begin) && i.location.lines.begin >= 1);
    assert.match(i.fingerprint, /^[0-9a-f]{32}$/);
  }
  assert.is(new Set(issues.map((i) => i.fingerprint)).size, issues.length);
  assert.equal(issues.map((i) => i.severity), ['critical', 'minor']);
  assert.match(issues[0]!.description, /^seccomp drift \(high\): socket: domain is AF_UNIX → domain is AF_UNIX or \(domain is AF_INET and type is SOCK_STREAM \(flags ignored\)\) \(app_extra\)/);
  assert.is(issues[0]!.location.lines.begin, 1);
});

t('plain words for argument rules', () => {
  const expr = (text: string) => {
    const file = parsePolicy(`POLICY p { ALLOW { ${text} } }\nUSE p DEFAULT KILL`, 't.policy');
    return blocksOf(file.defs[0]!.body)[0]!.rules[0]!;
  };
  const say = (text: string) => { const r = expr(text); return plainExpr(r.syscall, r.when); };
  assert.is(say('socket(domain, type, protocol) { domain == 2 || domain == 10 }'), 'domain is AF_INET or AF_INET6');
  assert.is(say('socket(domain, type, protocol) { (type & 0x7ff) == 1 && protocol == 0 }'), 'type is SOCK_STREAM (flags ignored) and protocol is 0');
  assert.is(say('clone(flags) { (flags & 0x10000000) == 0 }'), 'flags has none of CLONE_NEWUSER set');
  assert.is(say('socket(domain, type, protocol) { domain != 16 && (domain == 1 || type == 2) }'), 'domain is not AF_NETLINK and (domain is AF_UNIX or type is SOCK_DGRAM)');
  assert.is(say('getpid'), 'any arguments');
});

t.run();
