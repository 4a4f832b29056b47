// resolvePolicy: USE order, catalog lookup, clause order, arch skipping, conflicts — checked through decide().
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ARCHES } from '../../src/abi/arch.js';
import { catalogFromText, loadCatalog } from '../../src/catalog/catalogs.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { UsageError } from '../../src/errors.js';
import { decide } from '../../src/policy/eval.js';
import { bodyOf, type PolicyFile } from '../../src/policy/model.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { syscallNumber } from '../../src/syscalls/table.js';

const t = suite('policy/resolve');

const nr = (name: string) => syscallNumber('x86_64', name)!;
const resolve = (text: string, options = {}) => resolvePolicy(parsePolicy(text, 't.policy'), 'x86_64', options);

t('numbers, sorted by nr, default and foreign-arch actions', () => {
  const r = resolve('POLICY p { ALLOW { write, read, openat } }\nUSE p DEFAULT ERRNO(1)');
  assert.equal(r.syscalls.map((s) => [s.name, s.nr]), [['read', 0], ['write', 1], ['openat', 257]]);
  assert.equal(r.defaultAction, { kind: 'errno', errno: 1 });
  assert.equal(r.foreignArchAction, { kind: 'kill-process' });
  assert.equal(resolve('POLICY p {}\nUSE p DEFAULT KILL', { foreignArchAction: { kind: 'errno', errno: 5 } }).foreignArchAction, { kind: 'errno', errno: 5 });
  assert.equal(decide(r, nr('read'), []), { kind: 'allow' });
  assert.equal(decide(r, nr('close'), []), { kind: 'errno', errno: 1 });
});

t('argument widths come from the arch tables', () => {
  const r = resolve('POLICY p { ALLOW { socket(d) { d == 2 }, mmap } }\nUSE p DEFAULT KILL');
  assert.equal(r.syscalls.find((s) => s.name === 'socket')!.widths, [32, 32, 32, 64, 64, 64]);
  const i386 = resolvePolicy(parsePolicy('POLICY p { ALLOW { mmap } }\nUSE p DEFAULT KILL', 't'), 'i386');
  assert.equal(i386.syscalls[0]!.widths, [32, 32, 32, 32, 32, 32]);
});

t('the first rule in text order decides (Kafel): an unconditional rule hides later ones', () => {
  const r = resolve('POLICY a { ALLOW { socket } }\nPOLICY b { ERRNO(13) { socket(d) { d == 16 } } }\nUSE a, b DEFAULT KILL');
  const socket = r.syscalls.find((s) => s.name === 'socket')!;
  assert.equal(socket.clauses.map((c) => [c.when === null, c.action.kind]), [[true, 'allow']]);
  assert.equal(decide(r, nr('socket'), [16n, 3n, 0n]), { kind: 'allow' });
  const swapped = resolve('POLICY a { ALLOW { socket } }\nPOLICY b { ERRNO(13) { socket(d) { d == 16 } } }\nUSE b, a DEFAULT KILL');
  assert.equal(decide(swapped, nr('socket'), [16n, 3n, 0n]), { kind: 'errno', errno: 13 });
  assert.equal(decide(swapped, nr('socket'), [2n, 1n, 0n]), { kind: 'allow' });
});

t('first matching conditional clause wins, in USE order', () => {
  const text = (order: string) => `POLICY e { ERRNO(1) { kill(pid, sig) { sig == 9 } } }
POLICY l { LOG { kill(pid, sig) { sig >= 9 } } }
USE ${order} DEFAULT KILL`;
  assert.equal(decide(resolve(text('e, l')), nr('kill'), [1n, 9n]), { kind: 'errno', errno: 1 });
  assert.equal(decide(resolve(text('l, e')), nr('kill'), [1n, 9n]), { kind: 'log' });
  assert.equal(decide(resolve(text('e, l')), nr('kill'), [1n, 15n]), { kind: 'log' });
  assert.equal(decide(resolve(text('e, l')), nr('kill'), [1n, 1n]), { kind: 'kill-process' });
});

t('nested USE expands depth first, each POLICY once (diamonds are fine)', () => {
  const r = resolve(`POLICY base { ALLOW { read } }
POLICY left { USE base ALLOW { write } }
POLICY right { USE base ALLOW { close } }
POLICY top { USE left, right }
USE top DEFAULT KILL`);
  assert.equal(r.syscalls.map((s) => s.name), ['read', 'write', 'close']);
});

t('the same unconditional action twice is merged; duplicates of a conditional clause are dropped', () => {
  const r = resolve(`POLICY a { ALLOW { read, socket(d) { d == 1 } } }
POLICY b { ALLOW { read } ERRNO(1) { socket(x) { x == 1 } } }
USE a, b DEFAULT KILL`);
  assert.equal(r.syscalls.find((s) => s.name === 'read')!.clauses, [{ when: null, action: { kind: 'allow' } }]);
  // socket: ALLOW when d == 1 (the later ERRNO clause can never match first) — both kept, order preserved.
  assert.equal(r.syscalls.find((s) => s.name === 'socket')!.clauses.map((c) => c.action.kind), ['allow', 'errno']);
  const dup = resolve('POLICY a { ALLOW { socket(d) { d == 1 } } }\nPOLICY b { ALLOW { socket(x) { x == 1 } } }\nUSE a, b DEFAULT KILL');
  assert.is(dup.syscalls[0]!.clauses.length, 1);
});

t('clauses that end where the call would end anyway are dropped', () => {
  // ALLOW when d == 2, then unconditional ALLOW: one unconditional clause is enough.
  const r = resolve('POLICY a { ALLOW { socket(d) { d == 2 }, socket } }\nUSE a DEFAULT KILL');
  assert.equal(r.syscalls[0]!.clauses, [{ when: null, action: { kind: 'allow' } }]);
  // KILL for a syscall under DEFAULT KILL grants nothing.
  assert.equal(resolve('POLICY a { KILL { ptrace } ALLOW { read } }\nUSE a DEFAULT KILL').syscalls.map((s) => s.name), ['read']);
});

t('names the arch lacks are skipped; the same file resolves on every arch', () => {
  const text = 'POLICY p { ALLOW { open, openat, arch_prctl, mmap2 } }\nUSE p DEFAULT KILL';
  assert.equal(resolvePolicy(parsePolicy(text, 't'), 'x86_64').syscalls.map((s) => s.name), ['open', 'arch_prctl', 'openat']);
  assert.equal(resolvePolicy(parsePolicy(text, 't'), 'aarch64').syscalls.map((s) => s.name), ['openat']);
  assert.equal(resolvePolicy(parsePolicy(text, 't'), 'i386').syscalls.map((s) => s.name).sort(), ['arch_prctl', 'mmap2', 'open', 'openat']);
});

t('top-level USE finds categories in the catalog; the file\'s own POLICY wins', () => {
  const catalog = catalogFromText('POLICY Io { ALLOW { read, write } }\nPOLICY Extra { ALLOW { getpid } }', 'cat.policy');
  const r = resolve('POLICY Extra { ERRNO(1) { getpid } }\nUSE Io, Extra DEFAULT KILL', { catalog });
  assert.equal(decide(r, nr('write'), []), { kind: 'allow' });
  assert.equal(decide(r, nr('getpid'), []), { kind: 'errno', errno: 1 });
});

t('the learned-policy fixture resolves against the default catalog on every arch', () => {
  const text = readFileSync(new URL('../../../fixtures/policies/valid/nginx-learned.policy', import.meta.url), 'utf8');
  const catalog = loadCatalog('default');
  for (const arch of ARCHES) {
    const r = resolvePolicy(parsePolicy(text, 'nginx-learned.policy'), arch, { catalog });
    assert.ok(r.syscalls.some((s) => s.name === 'accept4'), arch);
    assert.ok(r.syscalls.some((s) => s.name === 'mincore'), arch);
  }
  const r = resolvePolicy(parsePolicy(text, 'nginx-learned.policy'), 'x86_64', { catalog });
  assert.equal(decide(r, nr('socket'), [10n, 0x80801n, 0n]), { kind: 'allow' }); // AF_INET6, SOCK_STREAM|NONBLOCK|CLOEXEC
  assert.equal(decide(r, nr('socket'), [1n, 1n, 0n]), { kind: 'kill-process' }); // AF_UNIX is not in the policy
  assert.equal(decide(r, nr('setsockopt'), [3n, 1n, 15n]), { kind: 'allow' });
  assert.equal(decide(r, nr('mincore'), []), { kind: 'errno', errno: 1 });
});

t('without a USE line there is nothing to resolve; IR built in code gets the fileName in errors', () => {
  assert.throws(() => resolve('POLICY p {}'), (e: unknown) => e instanceof UsageError && /t\.policy|<policy>/.test(e.message));
  const built: PolicyFile = { header: [], defs: [], top: { body: bodyOf(['Missing'], []), defaultAction: { kind: 'allow' } } };
  assert.throws(() => resolvePolicy(built, 'x86_64', { fileName: 'learned.policy' }), (e: unknown) => e instanceof UsageError && e.message === 'learned.policy: unknown POLICY `Missing`');
});

t.run();
