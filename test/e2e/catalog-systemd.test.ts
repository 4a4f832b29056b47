// The systemd catalog against the real `systemd-analyze syscall-filter` of this machine: same groups, same
// nesting, same members (names none of our tables know, such as s390_* or riscv_*, are not in the catalog).
import { execFileSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { categorySyscalls, loadCatalog } from '../../src/catalog/catalogs.js';
import { isKnownSyscall } from '../../src/catalog/parser.js';
import { policyNameOfSystemdGroup, systemdGroupName } from '../../src/catalog/systemd-names.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { blocksOf, usesOf } from '../../src/policy/model.js';

const t = suite('catalog/systemd-analyze');

function analyze(...args: string[]): string | undefined {
  try {
    return execFileSync('systemd-analyze', ['syscall-filter', '--no-pager', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** Direct entries of one group: syscall names and nested `@groups` (comment lines dropped). */
const cache = new Map<string, string[]>();
function members(group: string): string[] {
  const hit = cache.get(group);
  if (hit) return hit;
  const list = (analyze(group) ?? '').split('\n').slice(1).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  cache.set(group, list);
  return list;
}

const listing = analyze();
const it = listing === undefined ? t.skip : t;
if (listing === undefined) console.log('  (systemd-analyze is not available: skipping the systemd comparison)');
const groups = (listing ?? '').split('\n').filter((l) => l.startsWith('@') && l !== '@known');
const catalog = loadCatalog('systemd');

it('every systemd group is a category, and every category is a systemd group', () => {
  assert.ok(groups.length >= 25, `${groups.length} groups`);
  assert.equal([...catalog.defs.keys()].map(systemdGroupName).sort(), [...groups].sort());
});

for (const group of groups) {
  it(`${group}: the same nested groups and direct members`, () => {
    const def = catalog.defs.get(policyNameOfSystemdGroup(group));
    assert.ok(def, group);
    const entries = members(group);
    assert.equal(usesOf(def.body).map(systemdGroupName).sort(), entries.filter((e) => e.startsWith('@')).sort());
    const ours = blocksOf(def.body).flatMap((b) => b.rules.map((r) => r.syscall)).sort();
    assert.equal(ours, entries.filter((e) => !e.startsWith('@') && isKnownSyscall(e)).sort());
  });

  it(`${group}: expanded membership on x86_64`, () => {
    const expanded = new Set<string>();
    const visit = (g: string): void => {
      for (const e of members(g)) {
        if (e.startsWith('@')) visit(e);
        else if (syscallNumber('x86_64', e) !== undefined) expanded.add(e);
      }
    };
    visit(group);
    assert.equal([...categorySyscalls(catalog, policyNameOfSystemdGroup(group), 'x86_64').keys()].sort(), [...expanded].sort());
  });
}

t.run();
