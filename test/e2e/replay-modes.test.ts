// --mode on the real kernel: a policy compiled by src/bpf that allows every syscall but getppid (harmless),
// replayed through the loader in each mode while the probe calls getppid.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compilePolicy } from '../../src/bpf/compile.js';
import { encodeProgram } from '../../src/bpf/encode.js';
import type { ResolvedPolicy } from '../../src/policy/resolved.js';
import { launchWithLoader } from '../../src/replay/launch.js';
import { applyReplayMode, type ReplayMode } from '../../src/replay/modes.js';
import { hostArch } from '../../src/replay/native.js';
import { classifyEnd } from '../../src/replay/outcome.js';
import { argWidth } from '../../src/syscalls/args.js';
import { syscallNames, syscallNumber } from '../../src/syscalls/table.js';
import { collect } from '../helpers/replay-run.js';
import { buildStateProbe, parseProbe } from '../helpers/state-probe.js';

const t = suite('replay/modes');
const probe = buildStateProbe();
const arch = hostArch();

const ALL_BUT_GETPPID: ResolvedPolicy = {
  arch,
  defaultAction: { kind: 'kill-process' },
  foreignArchAction: { kind: 'kill-process' },
  syscalls: syscallNames(arch)
    .filter((name) => name !== 'getppid')
    .map((name) => ({
      nr: syscallNumber(arch, name) as number,
      name,
      clauses: [{ when: null, action: { kind: 'allow' as const } }],
      widths: [0, 1, 2, 3, 4, 5].map((i) => argWidth(arch, name, i)),
    }))
    .sort((x, y) => x.nr - y.nr),
};

const replay = (mode: ReplayMode) =>
  collect(
    launchWithLoader({
      filter: encodeProgram(compilePolicy(applyReplayMode(ALL_BUT_GETPPID, mode)).program),
      argv: [probe, 'getppid'],
      env: { PATH: '/usr/bin:/bin' },
      nofileSoft: null,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );

t('enforce: the default KILL ends the program with SIGSYS', async () => {
  const { end, stdout } = await replay('enforce');
  assert.equal(classifyEnd(end, 'loader'), { kind: 'seccomp-killed' });
  assert.is(stdout, '');
});

t('log: the call goes through and the program completes', async () => {
  const { end, stdout } = await replay('log');
  assert.equal(classifyEnd(end, 'loader'), { kind: 'exited', code: 0 });
  assert.is(parseProbe(stdout).getppid, process.pid, 'getppid ran: the launcher is the parent');
});

t('errno: the program sees EPERM and carries on', async () => {
  const { end, stdout } = await replay('errno');
  assert.equal(classifyEnd(end, 'loader'), { kind: 'exited', code: 0 });
  const s = parseProbe(stdout);
  assert.is(s.getppid, -1);
  assert.is(s.getppidErrno, 1);
});

t.run();
