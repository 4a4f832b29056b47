// The runtime block of container profiles and the OCI options around it: measured data, the block's place in
// the policy, --runtime, --filter-flags, and the architectures an OCI profile lists.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { blocksOf } from '../../src/policy/model.js';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { parseFilterFlags } from '../../src/cli/policy-formats.js';
import { parseRuntimes, runtimeCalls } from '../../src/container/runtime-calls.js';
import { runtimeDef, withRuntimeBlocks } from '../../src/learn/runtime-block.js';
import { printPolicy } from '../../src/policy/emit/kafel.js';
import { ociSeccomp } from '../../src/policy/emit/oci.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { syscallNumber } from '../../src/syscalls/table.js';

const t = suite('learn/runtime-block');
const catalog = loadCatalog('default');

t('the measured runc data names its version and holds the calls runc\'s init makes before the entrypoint', () => {
  const runc = runtimeCalls('runc')!;
  assert.match(runc.version, /^runc version \d/);
  for (const call of ['execve', 'close', 'futex', 'write']) assert.ok(runc.syscalls.includes(call), call);
  for (const call of ['mount', 'pivot_root', 'unshare', 'setns']) assert.not.ok(runc.syscalls.includes(call), call);
  assert.ok(runc.syscalls.every((n) => syscallNumber('x86_64', n) !== undefined));
  assert.is(runtimeCalls('crun'), undefined, 'crun was not measured here (cgroup hybrid mode)');
});

t('the block is a POLICY of its own, USEd, saying where its names come from; extras seen in runs are named', () => {
  const base = parsePolicy('POLICY app { ALLOW { read, exit_group } }\nUSE app DEFAULT KILL\n', 'app.policy');
  const block = runtimeDef({ runtime: 'runc', measured: runtimeCalls('runc'), observed: ['close', 'nanosleep'] });
  const policy = withRuntimeBlocks(base, [block]);
  const text = printPolicy(policy);
  assert.match(text, /^\/\/ Measured on runc version .*\(policies\/runtimes\/runc\.json\)\.$/m);
  assert.match(text, /^\/\/ Seen in this profile's runs beyond the measurement: nanosleep\.$/m);
  assert.match(text, /^USE app, runc_after_filter DEFAULT KILL$/m);
  // adding it again replaces it
  assert.is(printPolicy(withRuntimeBlocks(policy, [block])), text);
  // a runtime never measured: only what the runs showed, said so
  const crun = runtimeDef({ runtime: 'crun', measured: undefined, observed: ['close'] });
  assert.equal(blocksOf(crun.body)[0]!.rules.map((r) => r.syscall), ['close']);
  assert.match(crun.doc.join('\n'), /crun was never measured/);
});

t('--runtime and --filter-flags are checked', () => {
  assert.is(parseRuntimes('auto'), null);
  assert.equal(parseRuntimes('none'), []);
  assert.equal(parseRuntimes('runc, crun,runc'), ['runc', 'crun']);
  assert.throws(() => parseRuntimes('docker'), /unknown runtime 'docker'/);
  assert.equal(parseFilterFlags('log,spec-allow'), ['log', 'spec-allow']);
  assert.throws(() => parseFilterFlags('tsync'), /unknown filter flag 'tsync'/);
});

t('OCI: no flags unless asked (runc 1.1 refuses any); the arches listed are the ones asked for', () => {
  const resolved = resolvePolicy(parsePolicy('POLICY a { ALLOW { read } ERRNO(13) { mkdir } }\nUSE a DEFAULT ERRNO(1)\n', 'a.policy'), 'x86_64', { catalog });
  assert.is(ociSeccomp(resolved).seccomp.flags, undefined);
  assert.equal(ociSeccomp(resolved, { flags: ['log'] }).seccomp.flags, ['SECCOMP_FILTER_FLAG_LOG']);
  assert.equal(ociSeccomp(resolved).seccomp.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.equal(ociSeccomp(resolved, { subArchitectures: false, extraArches: ['x86_64'] }).seccomp.architectures, ['SCMP_ARCH_X86_64']);
  assert.equal(ociSeccomp(resolved, { subArchitectures: false, extraArches: ['x86_64', 'i386'] }).seccomp.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
  const { seccomp } = ociSeccomp(resolved);
  assert.is(seccomp.defaultErrnoRet, 1);
  assert.equal(seccomp.syscalls.find((s) => s.names.includes('mkdir')), { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 });
});

t.run();
