// Which audit records belong to a replay, and how they are grouped and reported.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AuditAction, AuditRecord } from '../../src/audit/record.js';
import { formatReplayReport, replayJson, type ReplayReport } from '../../src/replay/report.js';
import { parentFromStat } from '../../src/replay/tree-watch.js';
import { fatalCallOf, summarizeViolations, treeRecords, type ReplayTree } from '../../src/replay/violations.js';

const t = suite('replay/violations');

let serial = 0;
function rec(pid: number, name: string, nr: number, action: AuditAction, exe = '/usr/bin/app'): AuditRecord {
  serial += 1;
  return {
    stamp: { seconds: 1700000000, ms: 0, serial }, arch: 'x86_64', archText: 'c000003e', nr, name, compat: false, action,
    code: null, pid, uid: 0, gid: 0, comm: 'app', exe, sig: action === 'kill-process' ? 31 : 0, ip: '0x0',
  };
}

const tree: ReplayTree = { pids: new Set([100, 105]), exes: new Set(['/usr/bin/app']), rootPid: 100 };

t('records of the tree: its pids, or its exe in a later pid; strangers are left out', () => {
  const records = [
    rec(100, 'mkdir', 83, 'log'),
    rec(105, 'mkdir', 83, 'log'),
    rec(120, 'rmdir', 84, 'log'), // a short-lived child nobody saw: same exe, later pid
    rec(90, 'mkdir', 83, 'log'), // same exe, but started before the target
    rec(130, 'mkdir', 83, 'log', '/usr/bin/other'),
  ];
  assert.equal(treeRecords(records, tree).map((r) => r.pid), [100, 105, 120]);
});

t('grouped by arch, syscall and action with counts and pids; kills are fatal calls', () => {
  const report = summarizeViolations([rec(105, 'mkdir', 83, 'log'), rec(100, 'mkdir', 83, 'log'), rec(100, 'mkdir', 83, 'log'), rec(100, 'unlink', 87, 'kill-process')]);
  assert.equal(report.violations.map((v) => [v.name, v.action, v.count, v.pids]), [
    ['mkdir', 'log', 3, [100, 105]],
    ['unlink', 'kill-process', 1, [100]],
  ]);
  assert.equal(fatalCallOf(report, 100), { pid: 100, arch: 'x86_64', nr: 87, name: 'unlink', action: 'kill-process' });
  assert.is(fatalCallOf(report, 7)?.pid, 100, 'under bwrap the target is a child of the pid we know');
});

t('the report names the killing call, or says when audit records could not be read', () => {
  const base: ReplayReport = {
    filter: { file: 'app.policy', kind: 'policy', arch: 'x86_64', cache: 'hit' }, mode: 'enforce', launcher: 'loader',
    command: ['app'], pid: 100, outcome: { kind: 'seccomp-killed' }, exitCode: 159,
    monitor: { kind: 'audit', fallback: '--monitor audit', reading: { available: true, source: 'kmsg (/dev/kmsg)', report: summarizeViolations([rec(100, 'mkdir', 83, 'kill-process')]), lostAtLeast: 0, lossReports: 0 } },
  };
  const text = formatReplayReport(base).join('\n');
  assert.match(text, 'killed by SIGSYS at mkdir (x86_64, nr 83) in pid 100');
  assert.match(text, 'mkdir (x86_64, nr 83): 1 call, KILL_PROCESS, pid 100');
  assert.equal((replayJson(base) as { killedBy: unknown }).killedBy, { pid: 100, arch: 'x86_64', nr: 83, name: 'mkdir', action: 'kill-process' });
  const blind = formatReplayReport({ ...base, monitor: { kind: 'audit', fallback: '--monitor audit', reading: { available: false, reason: 'cannot read /dev/kmsg: EPERM' } } }).join('\n');
  assert.match(blind, 'killed by SIGSYS');
  assert.match(blind, "cannot read the kernel's audit records (cannot read /dev/kmsg: EPERM)");
});

t('/proc/PID/stat: the parent after a comm holding spaces and parentheses', () => {
  assert.is(parentFromStat('4242 (a) b (c)) S 17 4242 4242 0 -1'), 17);
  assert.is(parentFromStat('garbage'), null);
});

t.run();
