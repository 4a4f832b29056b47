// Issue 11, robustness: several learns opening a new store at the same moment. Each used to read schema
// version 0 and create the tables itself ("table profiles already exists", the trace lost).
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readStore, runLearn, scratch } from '../helpers/learn-cli.js';

const t = suite('e2e/store-concurrency');
const s = scratch('learn-store-race-');
t.after(() => s.cleanup());
const OPEN = new URL('../../src/store/open.js', import.meta.url).href;

t('16 processes opening a new store at the same instant all succeed (2 rounds)', async () => {
  for (let round = 0; round < 2; round++) {
    const db = join(s.dir, `open-${round}.db`);
    // Every process spins until the same wall-clock instant, well after all of them have started.
    const at = Date.now() + 2500;
    const script = `import { openStore } from '${OPEN}'; while (Date.now() < ${at}); openStore(${JSON.stringify(db)}).close(); console.log('ok');`;
    const results = await Promise.all(Array.from({ length: 16 }, () =>
      execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, stdin: 'ignore' })));
    const failed = results.filter((r) => r.exitCode !== 0).map((r) => String(r.stderr).split('\n').find((l) => l.includes('Error')) ?? r.stderr);
    assert.equal(failed, [], `round ${round}`);
  }
});

t('12 `learn --` started together on a new store each keep their run', async () => {
  const db = join(s.dir, 'learn.db');
  const results = await Promise.all(Array.from({ length: 12 }, () => runLearn(['--db', db, '--quiet', '--no-policy', '--', '/bin/true'])));
  assert.equal(results.filter((r) => r.exitCode !== 0).map((r) => r.stderr), []);
  assert.is(readStore(db, (d) => (d.prepare(`SELECT count(*) AS n FROM runs WHERE status = 'complete'`).get() as { n: number }).n), 12);
});

t.run();
