// `learn report`'s model and renderers on small policies: bars of observed vs granted, observed calls with
// what allows them (or not), granted-never-seen by risk, argument rules in words, and a page that is all
// inline (no URL to fetch) with real text for every syscall.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Chalk } from 'chalk';
import { diffPolicies } from '../../src/diff/semantic.js';
import { buildReport, type ObservedCall } from '../../src/report/model.js';
import { renderHtmlReport } from '../../src/report/render-html.js';
import { renderReportText } from '../../src/report/render-text.js';
import { side } from './diff-fixtures.js';

const t = suite('report/model');

const POLICY = `POLICY app_extra { ALLOW { getpid, socket(domain, type, protocol) { domain == 1 } } }
USE Base, Files, Modules, app_extra DEFAULT KILL`;

const calls = (entries: [string, number][]): ObservedCall[] =>
  entries.map(([name, n]) => ({ name, counts: new Map([['x86_64', n]]), processes: ['app (1 process)'] }));

const OBSERVED = calls([['read', 10], ['openat', 2], ['getpid', 1], ['socket', 1], ['ptrace', 1]]);

t('categories as observed of granted; observed calls with the category that allows them', () => {
  const report = buildReport([{ side: side(POLICY), observed: OBSERVED }], null);
  const s = report.sides[0]!;
  assert.equal(s.categories.map((c) => [c.name, c.observed?.length, c.granted.length]),
    [['Base', 1, 7], ['Files', 1, 4], ['Modules', 0, 3], ['app_extra', 2, 2]]);
  assert.equal(s.observed!.map((o) => `${o.name}:${o.allowedBy}`), ['getpid:app_extra', 'openat:Files', 'ptrace:not allowed', 'read:Base', 'socket:app_extra']);
  const twice = buildReport([{ side: side(`POLICY threads { ALLOW { getpid } }\n${POLICY.replace('USE Base', 'USE threads, Base')}`), observed: OBSERVED }], null);
  assert.is(twice.sides[0]!.observed!.find((o) => o.name === 'getpid')?.allowedBy, 'threads, app_extra', 'every block granting it');
  assert.equal(s.unseen.map((g) => g.level), ['critical', 'low']);
  assert.equal(s.unseen[0]!.syscalls.map((x) => x.name), ['delete_module', 'finit_module', 'init_module']);
  assert.equal(s.constraints, [{ syscall: 'socket', text: 'domain is AF_UNIX' }]);
});

t('text and HTML say the same; the page fetches nothing and names every observed syscall', () => {
  const report = buildReport([{ side: side(POLICY), observed: OBSERVED }], null);
  const text = renderReportText(report, new Chalk({ level: 0 }));
  assert.match(text, /observed syscalls: 5, 15 calls; not allowed: ptrace/);
  assert.match(text, /critical \(3\): delete_module finit_module init_module/);
  assert.match(text, /socket: allowed when domain is AF_UNIX/);
  const html = renderHtmlReport(report);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.not.match(html, /(src|href)=|url\(|@import/);
  for (const o of OBSERVED) assert.match(html, new RegExp(`<td class="mono">${o.name}</td>`));
  assert.match(html, /<td class="denied">not allowed<\/td>/);
});

t('two sides: the drift on the same page, bars for both sides', () => {
  const before = side(POLICY, 'old.policy');
  const after = side(POLICY.replace('domain == 1', 'domain == 1 || domain == 2'), 'new.policy');
  const report = buildReport([{ side: before, observed: null }, { side: after, observed: OBSERVED }], diffPolicies(before, after));
  const html = renderHtmlReport(report);
  assert.match(html, /<h2>Drift<\/h2><ul class="summary"><li><span class="band"[^>]*>high<\/span> 1 high: now creates AF_INET /);
  assert.match(html, /<title>Base \(old\.policy\): 7 granted<\/title>/);
  assert.match(html, /<title>Base \(new\.policy\): 1 of 7 observed<\/title>/);
});

t('an observed clone3 answered ENOSYS runs as clone with its recorded flags: allowed by the fallback, not "not allowed"', () => {
  const THREADS = `POLICY threads { ALLOW { clone(flags, stack, ptid, ctid, tls) { (flags & 0x7e030000) == 0x10000 } } ERRNO(38) { clone3 } }
USE Base, threads DEFAULT KILL`;
  const observed = (flags: bigint | null): ObservedCall[] => [
    { name: 'clone3', counts: new Map([['x86_64', 2]]), processes: ['app (1 process)'], shapes: [{ arch: 'x86_64', values: [flags] }] },
  ];
  const row = (flags: bigint | null) => buildReport([{ side: side(THREADS), observed: observed(flags) }], null).sides[0]!.observed![0]!;
  assert.equal([row(0x3d0f00n).allowed, row(0x3d0f00n).allowedBy], [true, 'ENOSYS, then clone: threads']);
  for (const flags of [0x3d0f00n | 0x10000000n, 0x4100n, null]) assert.equal([row(flags).allowed, row(flags).allowedBy], [false, 'not allowed'], String(flags));
  // without recorded shapes (an older caller): as before
  assert.is(buildReport([{ side: side(THREADS), observed: calls([['clone3', 1]]) }], null).sides[0]!.observed![0]!.allowedBy, 'not allowed');
});

t.run();
