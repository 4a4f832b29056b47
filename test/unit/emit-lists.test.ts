import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { systemdGroupName } from '../../src/catalog/systemd-names.js';
import { catalogCategories } from '../../src/learn/categories.js';
import { emitFirejail } from '../../src/policy/emit/firejail.js';
import { emitJson } from '../../src/policy/emit/json.js';
import { emitSystemd } from '../../src/policy/emit/systemd.js';
import { resolvePolicy } from '../../src/policy/resolve.js';

const t = suite('emit/systemd+firejail+json');
const catalog = loadCatalog('default');
const groups = catalogCategories(loadCatalog('systemd'), ['x86_64']).map((g) => ({ ...g, name: systemdGroupName(g.name) }));
const implicit = groups.find((g) => g.name === '@default')!;

const TEXT = `
POLICY app_extra { ALLOW { socket(domain, type, protocol) { domain == 16 }, read, write, readv, writev } ERRNO(13) { mincore } }
USE Signals, SignalWait, EventLoop, app_extra DEFAULT ERRNO(1)`;
const file = parsePolicy(TEXT, 'app.policy');
const policy = resolvePolicy(file, 'x86_64', { catalog });

t('systemd: groups wholly inside the allowed set, names for the rest, errno default', () => {
  const { text, losses } = emitSystemd(policy, { groups, implicit, header: ['learned'] });
  const lines = text.trimEnd().split('\n');
  assert.is(lines[0], '# learned');
  assert.is(lines[1], '[Service]');
  const entries = lines.filter((l) => l.startsWith('SystemCallFilter=')).flatMap((l) => l.slice('SystemCallFilter='.length).split(' '));
  // Every entry is a group or a plain name, and groups expand to allowed syscalls only.
  const allowed = new Set(policy.syscalls.filter((s) => s.clauses.some((c) => c.action.kind === 'allow')).map((s) => s.name));
  const expanded = new Set<string>();
  for (const e of entries) {
    const g = groups.find((x) => x.name === e);
    const members = g ? [...g.syscalls.get('x86_64')!.keys()] : [e];
    for (const m of members) {
      assert.ok(allowed.has(m), `${e} grants ${m}`);
      expanded.add(m);
    }
  }
  assert.equal([...expanded].sort(), [...allowed].sort());
  assert.ok(entries.includes('@signal') || entries.includes('@basic-io'), entries.join(' '));
  assert.ok(lines.includes('SystemCallArchitectures=native'));
  assert.ok(lines.includes('SystemCallErrorNumber=EPERM'));
  const codes = losses.map((l) => `${l.code}:${l.syscall ?? ''}`).sort();
  assert.equal(codes, ['action-changed:mincore', 'condition-dropped:socket', 'implicit-allow:']);
});

t('systemd: a kill default needs no SystemCallErrorNumber; long lists wrap into several lines', () => {
  const many = resolvePolicy(parsePolicy('USE FileRead, FileWrite, Spawn, SignalOthers, Sessions DEFAULT KILL', 'x.policy'), 'x86_64', { catalog });
  const { text } = emitSystemd(many, { groups });
  assert.not.match(text, /SystemCallErrorNumber/);
  const filters = text.split('\n').filter((l) => l.startsWith('SystemCallFilter='));
  assert.ok(filters.length > 1);
  assert.ok(filters.every((l) => l.length <= 'SystemCallFilter='.length + 100));
});

t('firejail: seccomp.keep with every allowed name, block-secondary, error action', () => {
  const { text, losses } = emitFirejail(policy);
  const lines = text.trimEnd().split('\n');
  const keep = lines.find((l) => l.startsWith('seccomp.keep '))!.slice('seccomp.keep '.length).split(',');
  assert.ok(keep.includes('read') && keep.includes('rt_sigaction') && keep.includes('socket'));
  assert.not.ok(keep.includes('mincore'));
  assert.equal(keep, [...keep].sort());
  assert.ok(lines.includes('seccomp.block-secondary'));
  assert.ok(lines.includes('seccomp-error-action EPERM'));
  assert.ok(losses.some((l) => l.code === 'condition-dropped' && l.syscall === 'socket'));
});

t('json: the complete model, bigints as decimal strings, deterministic', () => {
  const model = { tool: 'seccomp-learn', version: '0.0.0', profile: 'app', catalog: 'default', policy: file, resolved: [policy] };
  const a = emitJson(model).text;
  assert.is(a, emitJson(model).text);
  const doc = JSON.parse(a) as { format: number; policy: { defs: { body: { rules: { when: { value: string } | null }[] }[] }[] }; resolved: unknown[] };
  assert.is(doc.format, 2);
  assert.is(doc.policy.defs[0]!.body[0]!.rules.find((r) => r.when !== null)!.when!.value, '16');
  assert.is(doc.resolved.length, 1);
});

t.run();
