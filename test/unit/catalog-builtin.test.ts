// The built-in catalogs, user catalogs, categorySyscalls, and `learn catalog` run in-process.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ARCHES, type Arch } from '../../src/abi/arch.js';
import { builtinCatalogNames, catalogFromText, categorySyscalls, loadCatalog, type Catalog } from '../../src/catalog/catalogs.js';
import { policyNameOfSystemdGroup, systemdGroupName } from '../../src/catalog/systemd-names.js';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { InputError, UsageError } from '../../src/errors.js';
import { evalExpr } from '../../src/policy/eval.js';
import { bodyOf, type Rule } from '../../src/policy/model.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { argWidth } from '../../src/syscalls/args.js';

const t = suite('catalog/builtin');

const fixture = (path: string) => new URL(`../../../fixtures/policies/${path}`, import.meta.url).pathname;

/** Does any of the rules let this call through (as the learner will ask)? */
function grants(rules: readonly Rule[] | undefined, arch: Arch, syscall: string, args: bigint[]): boolean {
  const widths = [0, 1, 2, 3, 4, 5].map((i) => argWidth(arch, syscall, i));
  return (rules ?? []).some((r) => r.when === null || evalExpr(r.when, args, widths));
}

t('the three built-in catalogs', () => {
  assert.equal(builtinCatalogNames(), ['default', 'pledge', 'systemd']);
  assert.ok(loadCatalog('default').defs.size >= 30);
  assert.ok(loadCatalog('systemd').defs.has('system_service'));
  assert.ok(loadCatalog('pledge').defs.has('stdio'));
});

for (const name of builtinCatalogNames()) {
  for (const arch of ARCHES) {
    t(`${name} resolves on ${arch}, every category non-empty where it applies`, () => {
      const catalog = loadCatalog(name);
      const names = [...catalog.defs.keys()];
      const r = resolvePolicy({ header: [], defs: [], top: { body: bodyOf(names, []), defaultAction: { kind: 'kill-process' } } }, arch, { catalog });
      assert.ok(r.syscalls.length > 100, `${r.syscalls.length} syscalls`);
      const empty = names.filter((n) => categorySyscalls(catalog, n, arch).size === 0);
      // Only arch-specific categories may be empty on another arch.
      const allowedEmpty = new Set(['CompatWine', 'cpu_emulation', 'raw_io', 'CompatDB32', 'obsolete', 'FileCreateClassic', 'FileMetadataClassic', 'ThreadArea']);
      assert.equal(empty.filter((n) => !allowedEmpty.has(n)), [], `empty on ${arch}`);
    });
  }
}

t('default: socket categories check domain and type; reads stay reads by their arguments', () => {
  const c = loadCatalog('default');
  const tcp = categorySyscalls(c, 'SocketTcp', 'x86_64').get('socket');
  assert.ok(grants(tcp, 'x86_64', 'socket', [2n, 1n, 0n]));
  assert.ok(grants(tcp, 'x86_64', 'socket', [10n, 0x80801n, 0n]), 'SOCK_NONBLOCK|SOCK_CLOEXEC are masked off');
  assert.not.ok(grants(tcp, 'x86_64', 'socket', [2n, 2n, 0n]), 'UDP is not TCP');
  assert.not.ok(grants(tcp, 'x86_64', 'socket', [1n, 1n, 0n]), 'AF_UNIX is not TCP');
  assert.ok(grants(tcp, 'x86_64', 'socket', [2n, 1n, 6n]), 'IPPROTO_TCP spelled out');
  assert.not.ok(grants(tcp, 'x86_64', 'socket', [2n, 1n, 17n]), 'protocol must be 0 or TCP');
  const unix = categorySyscalls(c, 'SocketUnix', 'x86_64');
  assert.equal([...unix.keys()], ['socket', 'socketpair']);
  assert.ok(grants(unix.get('socketpair'), 'x86_64', 'socketpair', [1n, 1n, 0n, 0x7ffc0000n]));
  const personality = categorySyscalls(c, 'PersonalityQuery', 'x86_64').get('personality');
  assert.ok(grants(personality, 'x86_64', 'personality', [0xffffffffn]));
  assert.not.ok(grants(personality, 'x86_64', 'personality', [0x0040000n]), 'ADDR_NO_RANDOMIZE sets a persona');
  assert.not.ok(grants(personality, 'x86_64', 'personality', [8n]), 'PER_LINUX32 sets a persona');
  const prlimit = categorySyscalls(c, 'SelfInfo', 'x86_64').get('prlimit64');
  assert.ok(grants(prlimit, 'x86_64', 'prlimit64', [0n, 3n, 0n, 0x7ffc0000n]), 'new_limit NULL reads');
  assert.not.ok(grants(prlimit, 'x86_64', 'prlimit64', [0n, 3n, 0x7ffc0000n, 0n]), 'a new limit changes');
  const openat = categorySyscalls(c, 'FileRead', 'x86_64').get('openat');
  assert.ok(grants(openat, 'x86_64', 'openat', [0xffffff9cn, 0n, 0x90800n]), 'O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY');
  for (const flags of [0x1n, 0x2n, 0x40n, 0x200n, 0x400n, 0x410000n]) {
    assert.not.ok(grants(openat, 'x86_64', 'openat', [0xffffff9cn, 0n, flags]), `flags ${flags.toString(16)} write or create`);
  }
  const clone = categorySyscalls(c, 'Spawn', 'x86_64').get('clone');
  assert.ok(grants(clone, 'x86_64', 'clone', [0x1200011n]), 'fork-like clone');
  assert.not.ok(grants(clone, 'x86_64', 'clone', [0x10000011n]), 'CLONE_NEWUSER');
});

t('categories are arch-neutral: names an arch lacks are left out there', () => {
  const c = loadCatalog('default');
  assert.ok(categorySyscalls(c, 'FileReadClassic', 'x86_64').has('open'));
  assert.not.ok(categorySyscalls(c, 'FileReadClassic', 'aarch64').has('open'));
  assert.ok(categorySyscalls(c, 'FileRead', 'aarch64').has('openat'));
  assert.ok(categorySyscalls(c, 'Runtime', 'i386').has('mmap2'));
  assert.not.ok(categorySyscalls(c, 'Runtime', 'x86_64').has('mmap2'));
});

t('systemd: nested groups are expanded; names map to systemd spelling and back', () => {
  const c = loadCatalog('systemd');
  const service = categorySyscalls(c, 'system_service', 'x86_64');
  for (const name of ['read', 'openat', 'socket', 'clone', 'rt_sigaction', 'timerfd_create', 'brk']) assert.ok(service.has(name), name);
  assert.not.ok(service.has('mount'));
  assert.not.ok(service.has('reboot'));
  assert.ok(categorySyscalls(c, 'privileged', 'x86_64').has('chown'), '@privileged uses @chown');
  for (const name of c.defs.keys()) assert.is(policyNameOfSystemdGroup(systemdGroupName(name)), name);
  assert.is(systemdGroupName('system_service'), '@system-service');
  assert.is(systemdGroupName('default'), '@default');
});

t('pledge: promises and the PROT_EXEC split between stdio and prot_exec', () => {
  const c = loadCatalog('pledge');
  for (const promise of ['stdio', 'rpath', 'wpath', 'cpath', 'dpath', 'flock', 'fattr', 'inet', 'unix', 'dns', 'tty', 'recvfd', 'sendfd', 'proc', 'exec', 'id', 'tmppath', 'unveil', 'settime', 'prot_exec', 'vminfo', 'chown']) {
    assert.ok(c.defs.has(promise), promise);
  }
  const stdio = categorySyscalls(c, 'stdio', 'x86_64');
  assert.ok(grants(stdio.get('mmap'), 'x86_64', 'mmap', [0n, 4096n, 3n]));
  assert.not.ok(grants(stdio.get('mmap'), 'x86_64', 'mmap', [0n, 4096n, 5n]), 'PROT_EXEC needs prot_exec');
  assert.ok(grants(categorySyscalls(c, 'prot_exec', 'x86_64').get('mmap'), 'x86_64', 'mmap', [0n, 4096n, 5n]));
  assert.ok(grants(stdio.get('clone'), 'x86_64', 'clone', [0x3d0f00n]), 'pthread_create flags');
  assert.not.ok(grants(stdio.get('clone'), 'x86_64', 'clone', [0x1200011n]), 'fork-style clone needs proc');
  const rpath = categorySyscalls(c, 'rpath', 'x86_64').get('openat');
  assert.ok(grants(rpath, 'x86_64', 'openat', [0xffffff9cn, 0n, 0x80000n]));
  assert.not.ok(grants(rpath, 'x86_64', 'openat', [0xffffff9cn, 0n, 0x241n]));
  assert.ok(grants(categorySyscalls(c, 'cpath', 'x86_64').get('openat'), 'x86_64', 'openat', [0xffffff9cn, 0n, 0x241n]));
  assert.equal([...categorySyscalls(c, 'exec', 'x86_64').keys()], ['execve', 'execveat']);
});

t('categorySyscalls: unknown category → UsageError with a hint', () => {
  assert.throws(() => categorySyscalls(loadCatalog('default'), 'FileReed', 'x86_64'), (e: unknown) => e instanceof UsageError && e.hint === 'did you mean `FileRead`?');
});

t('catalogFromText: checks nested USE, cycles, and refuses a top-level USE', () => {
  const expectAt = (text: string, at: string, fragment: string) =>
    assert.throws(() => catalogFromText(text, 'my.policy'), (e: unknown) =>
      e instanceof InputError && `${e.place.line}:${e.place.col}` === at && e.message.includes(fragment));
  expectAt('POLICY a { USE bb }\nPOLICY b {}', '1:16', 'unknown POLICY `bb`');
  expectAt('POLICY a { USE b }\nPOLICY b { USE a }', '2:16', 'USE cycle');
  expectAt('POLICY a {}\nUSE a DEFAULT KILL', '2:5', 'a catalog defines categories only');
  const c: Catalog = catalogFromText('POLICY a { USE b ALLOW { read } }\nPOLICY b { ALLOW { write } ERRNO(1) { close } }', 'dir/my.policy');
  assert.is(c.name, 'my');
  assert.equal([...categorySyscalls(c, 'a', 'x86_64').keys()], ['read', 'write'], 'only granting blocks count');
});

t('loadCatalog: user files by path; unknown names and unreadable files are usage errors', () => {
  assert.throws(() => loadCatalog('systemdd'), (e: unknown) => e instanceof UsageError && e.message.includes('default, pledge, systemd') && e.hint === 'did you mean `systemd`?');
  assert.throws(() => loadCatalog('/nonexistent/x.policy'), (e: unknown) => e instanceof UsageError && e.message.includes('ENOENT'));
  assert.throws(() => loadCatalog(fixture('malformed/unknown-syscall.policy')), (e: unknown) => e instanceof InputError && e.place.line === 5 && e.place.col === 18);
});

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['node', 'learn', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

t('learn catalog: lists catalogs, categories, one category; --json', async () => {
  const list = await run('catalog');
  assert.is(list.code, 0);
  assert.match(list.out, /^default\s+\d+ categories$/m);
  const cats = await run('catalog', 'default', '--arch', 'x86_64');
  assert.is(cats.code, 0);
  assert.match(cats.out, /^SocketTcp\s+1\s+socket\*$/m);
  assert.match(cats.out, /^Aio\s+6\s+io_cancel io_destroy/m);
  const one = await run('catalog', 'default', 'SocketTcp', '--arch', 'x86_64');
  assert.is(one.code, 0);
  assert.ok(one.out.includes('socket(domain, type, protocol) { (type & 0xf) == 1 && (protocol == 0 || protocol == 6) && (domain == 2 || domain == 10) }'), one.out);
  const json = JSON.parse((await run('catalog', 'systemd', '--json', '--arch', 'aarch64')).out) as { arch: string; categories: Array<{ name: string; size: number }> };
  assert.is(json.arch, 'aarch64');
  assert.ok(json.categories.find((c) => c.name === 'system_service')!.size > 200);
});

t('learn catalog: bad catalog, bad file, bad arch → exit 2 with a one-line reason', async () => {
  const bad = await run('catalog', 'nope');
  assert.is(bad.code, 2);
  assert.ok(bad.err.startsWith("learn: unknown catalog 'nope': built-in catalogs are default, pledge, systemd"), bad.err);
  const file = await run('catalog', fixture('malformed/unknown-syscall.policy'));
  assert.is(file.code, 2);
  assert.ok(file.err.includes('unknown-syscall.policy:5:18: unknown syscall `opneat`'), file.err);
  assert.ok(file.err.includes('hint: did you mean `openat`?'), file.err);
  assert.ok(file.err.includes(`\n  ${' '.repeat(17)}^\n`), 'caret under the name');
  const arch = await run('catalog', 'default', '--arch', 'mips');
  assert.is(arch.code, 2);
  assert.ok(arch.err.includes("unknown arch 'mips'"));
});

t.run();
