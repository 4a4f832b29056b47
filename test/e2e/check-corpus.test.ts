// `learn check` on every strace capture in fixtures/strace: each one, imported and learned, passes its own
// policy (from the store and read straight from the file); with one syscall cut from a strict policy, exactly
// that syscall is reported. In-process through main(), so the whole corpus takes seconds.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { FIXTURES, scratch } from '../helpers/learn-cli.js';

const t = suite('e2e/check-corpus');
const s = scratch('learn-check-corpus-');
t.after(() => s.cleanup());

async function learn(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(s.dir, { PATH: process.env.PATH ?? '/usr/bin:/bin' });
  const code = await main(['node', 'learn', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

interface CheckJson {
  readonly shapes: number;
  readonly denied: readonly { name: string; arch: string; count: number; firstRaw: string }[];
  readonly undetermined: readonly unknown[];
}

const dir = join(FIXTURES, 'strace');
const traces = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

/** Imports a capture as profile `name` and learns its policy; null when the capture holds no syscalls. */
async function learnFrom(file: string, name: string, strict = false): Promise<string | null> {
  const imported = await learn(['from-strace', join(dir, file), '--name', name, '--db', s.db, '--quiet']);
  if (imported.code !== 0) {
    assert.match(imported.err, 'no syscalls found', `${file}: ${imported.err}`);
    return null;
  }
  const learned = await learn(['policy', name, '--db', s.db, '--out', s.dir, ...(strict ? ['--strict'] : [])]);
  assert.is(learned.code, 0, `${file}: ${learned.err}`);
  return join(s.dir, `${name}.policy`);
}

t('every capture passes its own learned policy, from the store and from the file', async () => {
  let checked = 0;
  for (const [i, file] of traces.entries()) {
    const policy = await learnFrom(file, `c${i}`);
    if (policy === null) continue;
    for (const source of [['--profile', `c${i}`, '--db', s.db], ['--trace', join(dir, file)]]) {
      const r = await learn(['check', policy, ...source, '--json']);
      const json = JSON.parse(r.out) as CheckJson;
      assert.is(r.code, 0, `${file} ${source[0]}: ${r.out}${r.err}`);
      assert.equal(json.denied, [], file);
      assert.ok(json.shapes > 0);
    }
    checked++;
  }
  assert.ok(checked >= 80, `checked ${checked} of ${traces.length} captures`);
});

t('a strict policy missing one syscall: exactly that syscall is reported, with its count and first call', async () => {
  const policy = await learnFrom('ls_la_usr.default.txt', 'ls', true);
  assert.ok(policy);
  const text = readFileSync(policy, 'utf8');
  const cut = text.replace(/\bgetdents64,\s*/, '');
  assert.is.not(cut, text);
  const edited = join(s.dir, 'ls-cut.policy');
  writeFileSync(edited, cut);
  const r = await learn(['check', edited, '--profile', 'ls', '--db', s.db, '--json']);
  assert.is(r.code, 1, r.err);
  const json = JSON.parse(r.out) as CheckJson;
  assert.equal(json.denied.map((d) => [d.name, d.arch]), [['getdents64', 'x86_64']]);
  const trace = readFileSync(join(dir, 'ls_la_usr.default.txt'), 'utf8');
  assert.is(json.denied[0]?.count, trace.match(/^getdents64\(/gm)?.length);
  assert.ok(trace.includes(`getdents64(${json.denied[0]?.firstRaw}`), json.denied[0]?.firstRaw);

  const text1 = await learn(['check', edited, '--trace', join(dir, 'ls_la_usr.default.txt')]);
  assert.is(text1.code, 1);
  assert.match(text1.out, /: 1 shape denied\n {2}getdents64 \(x86_64, nr 217\): \d+ calls → KILL_PROCESS\n {4}first: getdents64\(/);
});

t.run();
