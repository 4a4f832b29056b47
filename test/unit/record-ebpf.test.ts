// The pure halves of the eBPF recorder: the capture table sent to the helper, the helper's report turned
// into store rows, the preconditions and the choice between recorders.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseRecorder, choiceLine } from '../../src/record/choose.js';
import { CAPTURE, SPEC_ARCH, captureEntries, formatSpec } from '../../src/record/ebpf/capture-spec.js';
import { unmetPrecondition, type Facts } from '../../src/record/ebpf/preconditions.js';
import { createDeltaTracker, exitOf, parseReport, reportRows, ReportError } from '../../src/record/ebpf/report.js';
import { argValues } from '../../src/trace/arg-values.js';
import { EnvironmentError } from '../../src/errors.js';

const t = suite('record-ebpf');

t('capture table: registers at the learner\'s positions, 32-bit ones narrowed; clone3, i386 old mmap and socketcall from memory', () => {
  const entries = captureEntries();
  const at = (arch: number, nr: number) => entries.find((e) => e.arch === arch && e.nr === nr);
  assert.equal(at(SPEC_ARCH.x86_64, 41), { arch: 0, nr: 41, mode: CAPTURE.regs, positions: [0, 1, 2], narrow: 7 }); // socket
  assert.equal(at(SPEC_ARCH.x86_64, 16)?.positions, [1]); // ioctl request
  assert.is(at(SPEC_ARCH.x86_64, 16)?.narrow, 1);
  assert.is(at(SPEC_ARCH.x86_64, 56)?.narrow, 0, 'clone flags are 64-bit');
  assert.equal(at(SPEC_ARCH.x86_64, 435), { arch: 0, nr: 435, mode: CAPTURE.struct0, positions: [0], narrow: 0 }, 'clone3: the u64 flags its struct starts with');
  assert.is(at(SPEC_ARCH.i386, 435)?.mode, CAPTURE.struct0);
  assert.is(at(SPEC_ARCH.i386, 90)?.mode, CAPTURE.oldMmap);
  assert.is(at(SPEC_ARCH.i386, 192)?.mode, CAPTURE.regs, 'mmap2 takes registers');
  assert.is(at(SPEC_ARCH.i386, 102)?.mode, CAPTURE.socketcall);
  assert.ok(at(SPEC_ARCH.x32, 41) !== undefined, 'x32 shares the common numbers');
  assert.ok(entries.every((e) => e.nr < 1024 && e.positions.length <= 3));
  assert.match(formatSpec(entries.slice(0, 2)), /^0,41,1,3,0,1,2,7;2,41,1,3,0,1,2,7$/);
});

const REPORT = [
  'ready 100',
  'count 0 41 0 0 2 524289 0 2049 77 3',
  'count 0 41 0 0 2 524289 0 2049 78 1',
  'count 0 59 0 0 0 0 0 0 0 1',
  'count 0 1 0 0 0 0 0 2049 77 5',
  'count 1 102 1 0 2 2 0 2049 77 1',
  'count 1 102 3 0 0 0 0 2049 77 1',
  'count 1 90 0 1 0 0 0 2049 77 1',
  'count 0 1073741863 0 0 0 0 0 2049 77 1',
  'proc 100 0 100 2 2049 77',
  'proc 101 100 100 1 2049 77',
  'proc 102 100 102 0 2049 77',
  `prog 2049 77 ${Buffer.from('/usr/bin/my prog').toString('hex')}`,
  'drops 0',
  'exit signal 15',
  'end',
];

t('report → rows: counts summed over programs, socketcall named by its call, unreadable values as ?, x32 kept', () => {
  const report = parseReport(REPORT);
  assert.ok(report.complete);
  const { batch, stats } = reportRows(report);
  const row = (arch: string, nr: number, name: string) => batch.observations.find((o) => o.arch === arch && o.nr === nr && o.name === name);
  assert.is(row('x86_64', 41, 'socket')?.count, 4);
  assert.is(row('x86_64', 41, 'socket')?.shape, '2,524289,0');
  assert.is(row('i386', 102, 'socket')?.shape, '2,2,0');
  assert.is(row('i386', 102, 'connect')?.shape, '');
  assert.is(row('i386', 90, 'mmap')?.shape, '?');
  assert.is(row('x86_64', 0x40000027, 'getpid')?.count, 1);
  assert.is(stats.events, 14);
  assert.equal(stats.syscallsPerArch, { x86_64: 4, i386: 2 });
  assert.is(stats.processes, 2);
  assert.equal(batch.processes, [
    { pid: 100, ppid: null, exe: '/usr/bin/my prog', thread: false },
    { pid: 101, ppid: 100, exe: null, thread: true },
    { pid: 102, ppid: 100, exe: null, thread: false },
  ]);
  assert.equal(exitOf(report.exit), { exitCode: null, signal: 'SIGTERM' });
  assert.equal(exitOf(parseReport(['exit code 3']).exit), { exitCode: 3, signal: null });
});

t('report → rows: a pointer argument is known only when NULL, as the strace path decodes it', () => {
  const rows = reportRows(parseReport(['count 0 302 0 0 140737488347136 0 0 2049 77 1', 'count 0 302 0 0 0 0 0 2049 77 2', 'end']));
  const shapes = rows.batch.observations.filter((o) => o.name === 'prlimit64').map((o) => [o.shape, o.count]);
  assert.equal(shapes, [['?', 1], ['0', 2]]);
  assert.equal(argValues('prlimit64', ['0', 'RLIMIT_NOFILE', '0x7ffc12345678', 'NULL']), [null]);
  assert.equal(argValues('prlimit64', ['0', 'RLIMIT_STACK', 'NULL', '0x7ffc12345678']), [0n]);
});

t('snapshots: the last one counts, and the store gets what each adds', () => {
  const first = ['count 0 1 0 0 0 0 0 2049 77 5', 'proc 100 0 100 2 2049 77', 'drops 0', 'snap'];
  const second = ['count 0 1 0 0 0 0 0 2049 77 8', 'count 0 0 0 0 0 0 0 2049 77 2', 'proc 100 0 100 2 2049 77', 'proc 101 100 101 0 2049 77', 'drops 0', 'snap'];
  const whole = parseReport([...first, ...second, 'exit code 0', 'end']);
  assert.equal(whole.counts.map((c) => c.count), [8, 2]);
  assert.is(whole.procs.length, 2);
  const delta = createDeltaTracker();
  const a = delta(reportRows(parseReport(first)));
  assert.equal(a.observations.map((o) => [o.name, o.count]), [['write', 5]]);
  const b = delta(reportRows(whole));
  assert.equal(b.observations.map((o) => [o.name, o.count]), [['write', 3], ['read', 2]]);
  assert.equal(b.processes.map((p) => p.pid), [101]);
  assert.equal(delta(reportRows(whole)).observations, [], 'nothing new');
});

t('report: a truncated report is not complete; a line learn does not know is an error', () => {
  assert.not.ok(parseReport(REPORT.slice(0, 5)).complete);
  assert.throws(() => parseReport(['count 0 x']), (e: unknown) => e instanceof ReportError);
  assert.throws(() => parseReport(['surprise']), (e: unknown) => e instanceof ReportError);
});

const FACTS: Facts = { arch: 'x64', helperBuilt: true, capEff: 0x1ffffffffffn, btf: true, kernel: '6.18.44', lockdown: 'none', pidNs: 0xeffffffc };

t('preconditions: each unmet one gives its own reason', () => {
  assert.is(unmetPrecondition(FACTS), null);
  const cases: [Partial<Facts>, RegExp | null][] = [
    [{ arch: 'arm64' }, /x86_64 only/],
    [{ helperBuilt: false }, /helper is not built/],
    [{ capEff: 0n }, /^not root/],
    [{ capEff: (1n << 38n) | (1n << 39n) }, null], // CAP_PERFMON + CAP_BPF without root
    [{ btf: false }, /no BTF/],
    [{ kernel: '5.11.0-28-amd64' }, /older than 5\.12/],
    [{ kernel: '5.12.0' }, null],
    [{ lockdown: 'confidentiality' }, /lockdown/],
    [{ pidNs: 4026532000 }, /PID namespace/],
  ];
  for (const [change, reason] of cases) {
    const got = unmetPrecondition({ ...FACTS, ...change });
    if (reason === null) assert.is(got, null, Object.keys(change).join());
    else assert.match(got ?? '', reason);
  }
});

t('choice: auto says why; ebpf where it cannot run is one error; --record-events and container runtimes need strace', () => {
  assert.equal(chooseRecorder('auto', null, { everyCall: false, containerRuntime: false }), { kind: 'ebpf', why: 'the kernel can run it' });
  const fallback = chooseRecorder('auto', 'not root (eBPF needs CAP_BPF and CAP_PERFMON)', { everyCall: false, containerRuntime: false });
  assert.is(choiceLine(fallback), 'learn: recording with strace: not root (eBPF needs CAP_BPF and CAP_PERFMON)\n');
  assert.is(chooseRecorder('auto', null, { everyCall: true, containerRuntime: false }).kind, 'strace');
  assert.is(chooseRecorder('strace', null, { everyCall: false, containerRuntime: false }).kind, 'strace');
  const runtime = chooseRecorder('auto', null, { everyCall: false, containerRuntime: true });
  assert.equal(runtime, { kind: 'strace', why: 'a container runtime\'s calls are told apart from the container\'s in strace\'s trace' });
  assert.throws(() => chooseRecorder('ebpf', 'kernel 5.4 is older than 5.11', { everyCall: false, containerRuntime: false }), (e: unknown) => e instanceof EnvironmentError);
});

t.run();
