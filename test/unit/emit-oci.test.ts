import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { decide } from '../../src/policy/eval.js';
import { emitOci } from '../../src/policy/emit/oci.js';
import type { Action } from '../../src/policy/model.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import type { ResolvedPolicy } from '../../src/policy/resolved.js';
import { validateOciSeccomp } from '../helpers/oci-schema.js';

const t = suite('emit/oci');
const catalog = loadCatalog('default');

const resolve = (text: string): ResolvedPolicy => resolvePolicy(parsePolicy(text, 'test.policy'), 'x86_64', { catalog });

interface OciArg { index: number; value: number; valueTwo?: number; op: string }
interface OciRule { names: string[]; action: string; errnoRet?: number; args?: OciArg[] }
interface Oci { defaultAction: string; defaultErrnoRet?: number; architectures: string[]; syscalls: OciRule[] }

/** libseccomp's reading of an OCI profile: a rule matches when all its comparisons hold. */
function ociDecide(oci: Oci, name: string, args: readonly bigint[]): string {
  for (const rule of oci.syscalls) {
    if (!rule.names.includes(name)) continue;
    const ok = (rule.args ?? []).every((a) => {
      const v = args[a.index] ?? 0n;
      const x = BigInt(a.value);
      switch (a.op) {
        case 'SCMP_CMP_EQ': return v === x;
        case 'SCMP_CMP_NE': return v !== x;
        case 'SCMP_CMP_LT': return v < x;
        case 'SCMP_CMP_LE': return v <= x;
        case 'SCMP_CMP_GT': return v > x;
        case 'SCMP_CMP_GE': return v >= x;
        case 'SCMP_CMP_MASKED_EQ': return (v & x) === BigInt(a.valueTwo ?? 0);
        default: throw new Error(`op ${a.op}`);
      }
    });
    if (ok) return `${rule.action}${rule.errnoRet === undefined ? '' : `(${rule.errnoRet})`}`;
  }
  return `${oci.defaultAction}${oci.defaultErrnoRet === undefined ? '' : `(${oci.defaultErrnoRet})`}`;
}

function ours(a: Action): string {
  const names: Record<string, string> = { allow: 'SCMP_ACT_ALLOW', 'kill-process': 'SCMP_ACT_KILL_PROCESS', errno: 'SCMP_ACT_ERRNO', log: 'SCMP_ACT_LOG' };
  return `${names[a.kind]}${a.kind === 'errno' ? `(${a.errno})` : ''}`;
}

const LEARNED = `
POLICY app_extra {
  ALLOW {
    socket(domain, type, protocol) { domain == 16 && (type & 0xf) == 3 && protocol == 0 },
    mprotect(addr, len, prot) { (prot & 0x2) == 0 || (prot & 0x4) == 0 },
    clone(flags) { (flags & 0x7e020000) == 0 },
    ioctl(fd, request) { request == 0x5401 || request == 0x5413 }
  }
  ERRNO(13) { mkdir }
}
USE Descriptors, SocketTcp, app_extra DEFAULT ERRNO(1)
`;

t('valid against the runtime-spec seccomp schema, with the x86 and x32 sub-arches', () => {
  const { text } = emitOci(resolve(LEARNED));
  const oci = JSON.parse(text) as Oci;
  assert.equal(validateOciSeccomp(oci), []);
  assert.equal(oci.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.is(oci.defaultAction, 'SCMP_ACT_ERRNO');
  assert.is(oci.defaultErrnoRet, 1);
  assert.ok(oci.syscalls.some((s) => s.names.includes('mkdir') && s.action === 'SCMP_ACT_ERRNO' && s.errnoRet === 13));
  // An OR becomes one entry per alternative: W^X is two MASKED_EQ entries.
  const mprotect = oci.syscalls.filter((s) => s.names.includes('mprotect'));
  assert.equal(mprotect.map((s) => s.args), [
    [{ index: 2, value: 2, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    [{ index: 2, value: 4, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
  ]);
  assert.ok(text.endsWith('\n'));
});

t('libseccomp reading of the JSON decides as the policy does', () => {
  const policy = resolve(LEARNED);
  const { text, losses } = emitOci(policy);
  assert.equal(losses.map((l) => l.code), ['sub-arch']);
  const oci = JSON.parse(text) as Oci;
  const probes: [string, bigint[]][] = [
    ['read', []], ['ptrace', []], ['mkdir', [0n, 0o755n]],
    ['socket', [2n, 1n, 0n]], ['socket', [2n, 0x80801n, 0n]], ['socket', [10n, 1n, 6n]], ['socket', [16n, 3n, 0n]],
    ['socket', [16n, 0x80003n, 0n]], ['socket', [16n, 2n, 0n]], ['socket', [1n, 1n, 0n]],
    ['mprotect', [0n, 0n, 1n]], ['mprotect', [0n, 0n, 3n]], ['mprotect', [0n, 0n, 5n]], ['mprotect', [0n, 0n, 7n]],
    ['clone', [0x3d0f00n]], ['clone', [0x3d0f00n | 0x10000000n]],
    ['ioctl', [1n, 0x5401n]], ['ioctl', [1n, 0x5413n]], ['ioctl', [1n, 0x5402n]],
  ];
  for (const [name, args] of probes) {
    const nr = policy.syscalls.find((s) => s.name === name)?.nr ?? (name === 'ptrace' ? 101 : -1);
    assert.is(ociDecide(oci, name, args), ours(decide(policy, nr, args)), `${name}(${args.join(', ')})`);
  }
});

t('first-match order with different actions is kept by excluding earlier conditions', () => {
  const policy = resolve(`
POLICY a { ERRNO(5) { openat(dirfd, path, flags) { flags == 0x241 } } }
POLICY b { ALLOW { openat } }
USE a, b DEFAULT KILL`);
  const oci = JSON.parse(emitOci(policy, { subArchitectures: false }).text) as Oci;
  assert.equal(oci.architectures, ['SCMP_ARCH_X86_64']);
  const nr = policy.syscalls.find((s) => s.name === 'openat')!.nr;
  for (const flags of [0n, 0x241n, 0x80000n]) {
    assert.is(ociDecide(oci, 'openat', [0n, 0n, flags]), ours(decide(policy, nr, [0n, 0n, flags])), `flags ${flags}`);
  }
});

t('what SCMP_CMP_* cannot say is widened and reported, never silent', () => {
  const policy = resolve(`
POLICY a { ALLOW { mmap(addr, len, prot) { (prot & 0x4) != 0x4 }, kill(pid, sig) { sig > 1 && sig < 20 } } }
USE a DEFAULT KILL`);
  const { text, losses } = emitOci(policy);
  assert.equal(validateOciSeccomp(JSON.parse(text)), []);
  const dropped = losses.filter((l) => l.code === 'condition-dropped').map((l) => l.syscall).sort();
  assert.equal(dropped, ['kill', 'mmap']);
  const oci = JSON.parse(text) as Oci;
  assert.ok(oci.syscalls.some((s) => s.names.includes('mmap') && s.args === undefined));
});

t('values beyond 2^53 are written as exact integers', () => {
  const policy = resolve(`POLICY a { ALLOW { lseek(fd, off) { off == 0xfffffffffffffff1 } } } USE a DEFAULT KILL`);
  const { text } = emitOci(policy);
  assert.match(text, /"value": 18446744073709551601/);
});

t.run();
