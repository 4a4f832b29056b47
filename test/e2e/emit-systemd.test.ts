// The systemd drop-in's groups and names, checked by the real `systemd-analyze syscall-filter`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { systemdGroupName } from '../../src/catalog/systemd-names.js';
import { catalogCategories } from '../../src/learn/categories.js';
import { learnPolicy } from '../../src/learn/learn-policy.js';
import { emitSystemd } from '../../src/policy/emit/systemd.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { runLearn, scratch } from '../helpers/learn-cli.js';
import { hasTool, traceShapes } from '../helpers/trace-shapes.js';

const t = suite('e2e/systemd');
const ready = hasTool('systemd-analyze') && hasTool('strace');
if (!ready) console.log('  skipped: needs systemd-analyze and strace');
const it = ready ? t : t.skip;

/** `systemd-analyze syscall-filter`: each `@group` with its members (names and nested groups). */
function systemdGroups(): Map<string, Set<string>> {
  const out = execFileSync('systemd-analyze', ['syscall-filter', '--no-pager'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const groups = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('@')) groups.set(line.trim(), (current = new Set()));
    else if (/^\s+[@\w]/.test(line) && !line.trim().startsWith('#')) current?.add(line.trim());
  }
  return groups;
}

it('every @group exists and every plain name is a syscall systemd knows', () => {
  const known = systemdGroups();
  const allNames = known.get('@known')!;
  assert.ok(allNames.size > 300);
  const catalog = loadCatalog('default');
  const groups = catalogCategories(loadCatalog('systemd'), ['x86_64']).map((g) => ({ ...g, name: systemdGroupName(g.name) }));
  for (const argv of [['ls', '-la', '/usr'], ['sh', '-c', 'ls | wc -l']]) {
    const shapes = traceShapes(argv);
    const { policy } = learnPolicy(shapes, catalogCategories(catalog, ['x86_64']), { profile: 'x', defaultAction: { kind: 'errno', errno: 1 } });
    const { text } = emitSystemd(resolvePolicy(policy, 'x86_64', { catalog }), { groups, implicit: groups.find((g) => g.name === '@default')! });
    const entries = text.split('\n').filter((l) => l.startsWith('SystemCallFilter=')).flatMap((l) => l.slice(17).split(' '));
    assert.ok(entries.length > 0);
    for (const e of entries) {
      if (e.startsWith('@')) assert.ok(known.has(e), `${e} is not a systemd group`);
      else assert.ok(allNames.has(e) || [...known.values()].some((g) => g.has(e)), `${e} is not a syscall systemd knows`);
    }
    // A group we used grants, by systemd's own definition, only what our systemd catalog says it does.
    const expand = (g: string): string[] => [...known.get(g)!].flatMap((m) => (m.startsWith('@') ? expand(m) : [m]));
    for (const g of entries.filter((e) => e.startsWith('@'))) {
      const ours = groups.find((x) => x.name === g)!.syscalls.get('x86_64')!;
      for (const member of expand(g)) {
        if (syscallNumber('x86_64', member) !== undefined) assert.ok(ours.has(member), `${g} also grants ${member}`);
      }
    }
    assert.match(text, /^SystemCallArchitectures=native$/m);
    assert.match(text, /^SystemCallErrorNumber=EPERM$/m);
  }
});

t('a host program\'s systemd and firejail outputs leave out what runc needs, which the OCI output written with them carries', async () => {
  const s = scratch();
  try {
    const learned = await runLearn(['--quiet', '--db', s.db, '--name', 'tr', '--out', s.dir, '--', '/bin/true']);
    assert.is(learned.exitCode, 0, learned.stderr);
    const r = await runLearn(['policy', 'tr', '--db', s.db, '--out', s.dir, '--format', 'kafel,oci,systemd,firejail']);
    assert.is(r.exitCode, 0, r.stderr);
    assert.match(readFileSync(join(s.dir, 'tr.policy'), 'utf8'), /^POLICY runc_after_filter \{/m);
    const oci = JSON.parse(readFileSync(join(s.dir, 'tr.oci.json'), 'utf8')) as { syscalls: { names: string[] }[] };
    const runcOnly = ['capset', 'setgroups', 'setuid'];
    for (const name of runcOnly) assert.ok(oci.syscalls.some((e) => e.names.includes(name)), `OCI allows ${name}`);
    const systemd = readFileSync(join(s.dir, 'tr.systemd.conf'), 'utf8');
    const firejail = readFileSync(join(s.dir, 'tr.firejail'), 'utf8');
    for (const name of runcOnly) {
      assert.not.match(systemd, new RegExp(`[= ]${name}\\b`), `systemd leaves out ${name}`);
      assert.not.match(firejail, new RegExp(`[,. ]${name}\\b`), `firejail leaves out ${name}`);
    }
    assert.match(systemd, /[= ]execve\b/, 'what /bin/true made is there');
  } finally {
    s.cleanup();
  }
});

t.run();
