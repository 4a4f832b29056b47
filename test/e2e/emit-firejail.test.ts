// The firejail lines learned from a real `ls` run let `ls` run under real firejail (--noprofile), and
// deny what ls never did.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { catalogCategories } from '../../src/learn/categories.js';
import { learnPolicy } from '../../src/learn/learn-policy.js';
import { emitFirejail } from '../../src/policy/emit/firejail.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { hasTool, traceShapes } from '../helpers/trace-shapes.js';

const t = suite('e2e/firejail');
const ready = hasTool('firejail') && hasTool('strace');
if (!ready) console.log('  skipped: needs firejail and strace');
const it = ready ? t : t.skip;

/** Profile lines → command-line options (`seccomp.keep a,b` → `--seccomp.keep=a,b`), as firejail maps them. */
function options(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
    const [key, ...rest] = l.split(' ');
    return rest.length === 0 ? `--${key}` : `--${key}=${rest.join(' ')}`;
  });
}

function learned(strict: boolean): string[] {
  const catalog = loadCatalog('default');
  const shapes = traceShapes(['ls', '-la', '/usr']);
  const { policy } = learnPolicy(shapes, catalogCategories(catalog, ['x86_64']), {
    profile: 'ls', defaultAction: { kind: 'errno', errno: 1 }, level: strict ? 'strict' : 'balanced',
  });
  const { text } = emitFirejail(resolvePolicy(policy, 'x86_64', { catalog }), ['learned from ls']);
  return options(text);
}

const firejail = (opts: string[], argv: string[]) =>
  spawnSync('firejail', ['--noprofile', '--quiet', ...opts, ...argv], { encoding: 'utf8', timeout: 30_000 });

it('ls runs under the learned seccomp.keep line', () => {
  for (const strict of [false, true]) {
    const opts = learned(strict);
    assert.ok(opts.some((o) => o.startsWith('--seccomp.keep=')));
    assert.ok(opts.includes('--seccomp.block-secondary'));
    const run = firejail(opts, ['ls', '-la', '/usr']);
    assert.is(run.status, 0, `${strict ? 'strict' : 'categories'}: ${run.stderr}`);
    assert.match(run.stdout, /\bbin\b/);
  }
});

it('a call ls never made is refused with the policy errno', () => {
  const dir = mkdtempSync(join(tmpdir(), 'learn-fj-'));
  try {
    const run = firejail(learned(true), ['mkdir', join(dir, 'x')]);
    assert.is.not(run.status, 0);
    assert.match(run.stderr, /Operation not permitted/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
