// resolveCommand: the shell's PATH search, on real files in a temp dir.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { envValue, resolveCommand } from '../../src/replay/resolve-command.js';

const t = suite('replay/resolve-command');
const root = mkdtempSync(join(tmpdir(), 'learn-resolve-'));
const [a, b] = [join(root, 'a'), join(root, 'b')];
mkdirSync(a);
mkdirSync(b);
mkdirSync(join(a, 'dir'));
const file = (path: string, mode: number): void => {
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, mode);
};
file(join(a, 'tool'), 0o644); // not executable: the search goes on
file(join(b, 'tool'), 0o755);
file(join(a, 'only-plain'), 0o644);
file(join(b, 'here'), 0o755);

t('searches PATH in order, skipping non-executable files and directories', () => {
  assert.equal(resolveCommand('tool', `${a}:${b}`, '/'), { ok: true, path: join(b, 'tool') });
  assert.equal(resolveCommand('dir', `${a}:${b}`, '/'), { ok: false, failure: { reason: 'not-found', message: 'dir: command not found' } });
});

t('found only without the execute bit: 126, nowhere: 127', () => {
  assert.is(resolveCommand('only-plain', `${a}:${b}`, '/').ok, false);
  const r = resolveCommand('only-plain', `${a}:${b}`, '/');
  assert.is(r.ok === false && r.failure.reason, 'not-executable');
  const missing = resolveCommand('nothing', `${a}:${b}`, '/');
  assert.is(missing.ok === false && missing.failure.reason, 'not-found');
});

t('a name with a slash is taken relative to cwd, without a search', () => {
  assert.equal(resolveCommand('./here', '/nonexistent', b), { ok: true, path: join(b, 'here') });
  const dir = resolveCommand(join(a, 'dir'), undefined, '/');
  assert.is(dir.ok === false && dir.failure.message, `${join(a, 'dir')}: is a directory`);
  const plain = resolveCommand('a/tool', undefined, root);
  assert.is(plain.ok === false && plain.failure.reason, 'not-executable');
});

t('an empty PATH entry means the cwd; no PATH means /bin:/usr/bin', () => {
  assert.equal(resolveCommand('here', ':/nonexistent', b), { ok: true, path: join(b, 'here') });
  assert.equal(resolveCommand('sh', undefined, '/'), { ok: true, path: '/bin/sh' });
});

t('envValue reads the first NAME= entry, as getenv does', () => {
  assert.is(envValue(['PATHX=1', 'PATH=/a', 'PATH=/b'], 'PATH'), '/a');
  assert.is(envValue(['A=1'], 'PATH'), undefined);
});

t.after(() => rmSync(root, { recursive: true }));

t.run();
