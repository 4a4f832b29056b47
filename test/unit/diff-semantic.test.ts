import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hasDrift, type SyscallChange } from '../../src/diff/model.js';
import { diffTexts } from './diff-fixtures.js';

const t = suite('diff/semantic');

const BASE = `POLICY app_extra {
  ALLOW { socket(domain, type, protocol) { domain == 2 || domain == 10 }, getpid }
  ERRNO(1) { mincore }
}
USE Base, Files, app_extra DEFAULT KILL`;

function kinds(changes: readonly SyscallChange[]): string[] {
  return changes.map((c) => `${c.kind}:${c.syscall}`);
}

const SAME: Array<{ name: string; text: string }> = [
  {
    name: 'rules reordered and split into two blocks',
    text: `POLICY app_extra { ERRNO(1) { mincore } ALLOW { getpid } ALLOW { socket(a, b, c) { a == 10 || a == 2 } } }
USE Files, Base, app_extra DEFAULT KILL`,
  },
  {
    name: 'own POLICY renamed and regrouped through a nested USE',
    text: `POLICY inner { ALLOW { getpid } ERRNO(1) { mincore } }
POLICY renamed { USE inner ALLOW { socket(domain, type, protocol) { !(domain != 2 && domain != 10) } } }
USE Base, Files, renamed DEFAULT KILL`,
  },
  {
    name: 'categories replaced by the explicit list they stand for',
    text: `POLICY all {
  ALLOW { read, write, close, exit_group, brk, mmap, munmap, openat, newfstatat, getdents64, lseek, getpid,
          socket(domain, type, protocol) { domain == 10 || domain == 2 } }
  ERRNO(1) { mincore }
}
USE all DEFAULT KILL`,
  },
  {
    name: 'a condition written as its equivalent with a mask and ranges',
    text: `POLICY app_extra {
  ALLOW { socket(domain, type, protocol) { (domain & 0xffffffff) == 2 || (domain >= 10 && domain <= 10) }, getpid }
  ERRNO(1) { mincore }
}
USE Base, Files, app_extra DEFAULT KILL`,
  },
];

for (const c of SAME) {
  t(`no drift: ${c.name}`, () => {
    const d = diffTexts(BASE, c.text);
    assert.equal(kinds(d.syscalls), []);
    assert.is(d.defaultAction, null);
    assert.is(hasDrift(d), false);
  });
}

t('syscall added by a category carries its origin and risk', () => {
  const d = diffTexts(BASE, BASE.replace('USE Base, Files,', 'USE Base, Files, Modules,'));
  assert.equal(kinds(d.syscalls), ['added:delete_module', 'added:finit_module', 'added:init_module']);
  const added = d.syscalls[0]!;
  assert.is(added.kind, 'added');
  if (added.kind !== 'added') return;
  assert.equal(added.origins, ['Modules']);
  assert.is(added.risk.group, 'kernel-module');
  assert.is(added.risk.level, 'critical');
  assert.equal(d.categories, { added: ['Modules'], removed: [] });
  assert.ok(hasDrift(d));
});

t('syscall removed', () => {
  const d = diffTexts(BASE, BASE.replace('getpid', 'gettid'));
  assert.equal(kinds(d.syscalls), ['removed:getpid', 'added:gettid'].sort((a, b) => a.split(':')[1]!.localeCompare(b.split(':')[1]!)));
});

t('argument rule widened: socket now allows AF_NETLINK', () => {
  const d = diffTexts(BASE, BASE.replace('domain == 2 || domain == 10', 'domain == 2 || domain == 10 || domain == 16'));
  assert.equal(kinds(d.syscalls), ['widened:socket']);
  const w = d.syscalls[0]!;
  if (w.kind !== 'widened') return assert.unreachable('expected widened');
  assert.equal(w.examples, ['domain=AF_NETLINK']);
  assert.ok(w.exact);
});

t('argument rule narrowed', () => {
  const d = diffTexts(BASE, BASE.replace('domain == 2 || domain == 10', 'domain == 2'));
  assert.equal(kinds(d.syscalls), ['narrowed:socket']);
  const n = d.syscalls[0]!;
  if (n.kind !== 'narrowed') return assert.unreachable('expected narrowed');
  assert.equal(n.examples, ['domain=AF_INET6']);
});

t('argument rule both widened and narrowed', () => {
  const d = diffTexts(BASE, BASE.replace('domain == 2 || domain == 10', 'domain == 2 || domain == 1'));
  assert.equal(kinds(d.syscalls), ['widened:socket', 'narrowed:socket']);
});

t('condition dropped: now any arguments', () => {
  const d = diffTexts(BASE, BASE.replace('socket(domain, type, protocol) { domain == 2 || domain == 10 }', 'socket'));
  assert.equal(kinds(d.syscalls), ['widened:socket']);
  const w = d.syscalls[0]!;
  if (w.kind !== 'widened') return;
  assert.is(w.now, null);
  assert.ok(w.examples.length > 0);
});

t('denial action change and default action change', () => {
  const d = diffTexts(BASE, BASE.replace('ERRNO(1) { mincore }', 'ERRNO(13) { mincore }').replace('DEFAULT KILL', 'DEFAULT ERRNO(1)'));
  assert.equal(kinds(d.syscalls), ['action:mincore']);
  assert.equal(d.defaultAction, { from: { kind: 'kill-process' }, to: { kind: 'errno', errno: 1 } });
});

t('an action change for some arguments names them; one for every argument does not', () => {
  const d = diffTexts(BASE, BASE.replace('ERRNO(1) { mincore }', 'ERRNO(1) { mincore } ERRNO(13) { socket(domain, type, protocol) { domain == 1 && type == 0x80801 } }'));
  assert.equal(d.syscalls.map((c) => (c.kind === 'action' ? [c.syscall, c.to, c.where] : c.kind)), [['socket', { kind: 'errno', errno: 13 }, 'domain=AF_UNIX, type=0x80801']]);
  const all = diffTexts(BASE, BASE.replace('ERRNO(1) { mincore }', 'ERRNO(13) { mincore }'));
  assert.equal(all.syscalls.map((c) => (c.kind === 'action' ? c.where : c.kind)), [null]);
});

t('a default of ALLOW adds every unlisted syscall', () => {
  const d = diffTexts(BASE, BASE.replace('DEFAULT KILL', 'DEFAULT ALLOW'));
  const added = d.syscalls.filter((c) => c.kind === 'added').map((c) => c.syscall);
  assert.ok(added.includes('ptrace'));
  assert.ok(added.includes('init_module'));
  assert.not.ok(added.includes('read'));
});

t('OCI JSON and the policy language compare by meaning', () => {
  const policy = `POLICY p { ALLOW { read, write, socket(d, t, p) { d == 2 || (t & 0xf) == 1 } } } USE p DEFAULT ERRNO(1)`;
  const oci = `{
  "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [
    { "names": ["write", "read"], "action": "SCMP_ACT_ALLOW" },
    { "names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 0, "value": 2, "op": "SCMP_CMP_EQ" }] },
    { "names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 1, "value": 15, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ" }] }
  ]
}`;
  assert.equal(kinds(diffTexts(policy, oci).syscalls), []);
  assert.equal(kinds(diffTexts(policy, oci.replace('"value": 2,', '"value": 16,')).syscalls), ['widened:socket', 'narrowed:socket']);
});

t.run();
