// The systemd drop-in's groups and names, checked by the real `systemd-analyze syscall-filter`.
import { execFileSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { systemdGroupName } from '../../src/catalog/systemd-names.js';
import { catalogCategories } from '../../src/learn/categories.js';
import { learnPolicy } from '../../src/learn/learn-policy.js';
import { emitSystemd } from '../../src/policy/emit/systemd.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { syscallNumber } from '../../src/syscalls/table.js';
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

t.run();
