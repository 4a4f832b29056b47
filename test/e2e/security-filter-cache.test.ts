// Issue 11, security 1: `learn replay` must only ever run bytes proven to be the policy's filter. An attacker who
// can write next to a policy (a dotfile in a pull request, a shared checkout) plants an allow-all filter under
// the name the old cache used (computable from public inputs); replay must still kill the program. The private
// cache accepts only files and directories owned by the user.
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { catalogForPolicy } from '../../src/catalog/catalogs.js';
import { VERSION } from '../../src/cli/version.js';
import { LEARN, runLearn, scratch } from '../helpers/learn-cli.js';
import { asNobody, NOBODY } from '../helpers/processes.js';
import { buildMkdirProbe, replayReport } from '../helpers/replay-cli.js';

const t = suite('e2e/security-filter-cache');
const probe = buildMkdirProbe();
const s = scratch('learn-sec-cache-');
chmodSync(s.dir, 0o755);
const shared = join(s.dir, 'shared'); // a checkout the attacker can write to
const policy = join(shared, 'mk.policy');
/** One instruction: SECCOMP_RET_ALLOW for everything. */
const ALLOW_ALL = Buffer.from([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f]);
let n = 0;
const freshDir = (): string => join(s.dir, `made-${++n}`);

t.before(async () => {
  const traced = await runLearn(['--db', s.db, '--name', 'mk', '--', probe, '0']);
  assert.is(traced.exitCode, 0, traced.stderr);
  const learned = await runLearn(['policy', 'mk', '--strict', '--db', s.db, '--out', shared]);
  assert.is(learned.exitCode, 0, learned.stderr);
  chownSync(shared, NOBODY, NOBODY);
});
t.after(() => s.cleanup());

t('an allow-all filter planted by another user beside the policy is never run', async () => {
  // The name the old cache read, from public inputs only: tool version, arch, mode, catalog and policy text.
  const text = readFileSync(policy, 'utf8');
  const catalog = catalogForPolicy(undefined, text);
  const key = createHash('sha256')
    .update(JSON.stringify([VERSION, 'x86_64', 'enforce', catalog.name, readFileSync(catalog.file, 'utf8'), text]))
    .digest('hex').slice(0, 16);
  const planted = join(shared, `.${basename(policy)}.x86_64.enforce.${key}.bpf`);
  await asNobody(['sh', '-c', 'cat > "$1"', 'sh', planted], ALLOW_ALL);
  const dir = freshDir();
  const r = await runLearn(['replay', '--json', policy, '--', probe, '0', dir]);
  assert.is(r.exitCode, 159, `${r.stderr}\n${r.stdout.slice(-400)}`);
  assert.not.ok(existsSync(dir), 'mkdir ran: the planted filter was used');
  assert.is(replayReport(r.stdout).replay.cache === 'hit', false);
});

t('a file another user put into the cache directory is not trusted: the policy is compiled again', async () => {
  const cache = join(s.dir, 'cache-root');
  const env = { XDG_CACHE_HOME: cache };
  const first = await runLearn(['replay', '--json', policy, '--', probe, '0'], { env });
  assert.is(replayReport(first.stdout).replay.cache, 'written', first.stderr);
  const filters = join(cache, 'seccomp-learn', 'filters');
  const [entry] = readdirSync(filters);
  assert.ok(entry !== undefined);
  writeFileSync(join(filters, entry), ALLOW_ALL);
  chownSync(join(filters, entry), NOBODY, NOBODY);
  const dir = freshDir();
  const r = await runLearn(['replay', '--json', policy, '--', probe, '0', dir], { env });
  assert.is(r.exitCode, 159, r.stderr);
  assert.not.ok(existsSync(dir));
  assert.is(replayReport(r.stdout).replay.cache, 'written');
});

t('a cache directory others can write is not used at all', async () => {
  const cache = join(s.dir, 'cache-open');
  const filters = join(cache, 'seccomp-learn', 'filters');
  mkdirSync(filters, { recursive: true });
  chmodSync(filters, 0o777);
  const r = await runLearn(['replay', '--json', policy, '--', probe, '0'], { env: { XDG_CACHE_HOME: cache } });
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(replayReport(r.stdout).replay.cache, 'unwritable');
  assert.equal(readdirSync(filters), []);
});

t('an unprivileged user gets a private cache of their own, reused on the next replay', async () => {
  const home = join(s.dir, 'nobody-home');
  mkdirSync(home);
  chownSync(home, NOBODY, NOBODY);
  const replay = async (): Promise<string> => {
    const r = await execa('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', process.execPath, LEARN,
      'replay', '--json', policy, '--', probe, '0'],
      { reject: false, stdin: 'ignore', env: { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' }, extendEnv: false, cwd: home });
    assert.is(r.exitCode, 0, String(r.stderr));
    return replayReport(String(r.stdout)).replay.cache;
  };
  assert.is(await replay(), 'written');
  assert.is(await replay(), 'hit');
});

t.run();
