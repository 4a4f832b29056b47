// On real traces, the learned policy allows 100 % of the observed call shapes: in the reference evaluator
// and in the compiled filter, for the default learner and --strict.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_ARCH } from '../../src/abi/arch.js';
import { retToAction } from '../../src/bpf/actions.js';
import { compilePolicy } from '../../src/bpf/compile.js';
import { execute } from '../../src/bpf/interp.js';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { catalogCategories } from '../../src/learn/categories.js';
import { learnPolicy } from '../../src/learn/learn-policy.js';
import { decide } from '../../src/policy/eval.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { hasTool, traceShapes } from '../helpers/trace-shapes.js';

const t = suite('e2e/learned policies cover what was observed');
const ready = hasTool('strace') && hasTool('python3');
const it = ready ? t : t.skip;
const catalog = loadCatalog('default');

const THREADS = `
import os, threading
def work(): sum(range(1000))
ts = [threading.Thread(target=work) for _ in range(4)]
for x in ts: x.start()
for x in ts: x.join()
pid = os.fork()
if pid == 0: os._exit(0)
os.waitpid(pid, 0)
`;

it('/bin/true, ls -la /usr and python3 with threads and fork: every shape allowed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'learn-cov-'));
  try {
    writeFileSync(join(dir, 'threads.py'), THREADS);
    for (const argv of [['/bin/true'], ['ls', '-la', '/usr'], ['/usr/bin/python3', join(dir, 'threads.py')]]) {
      const shapes = traceShapes(argv).filter((s) => s.arch === 'x86_64');
      assert.ok(shapes.length > 5, argv.join(' '));
      for (const strict of [false, true]) {
        const { policy } = learnPolicy(shapes, catalogCategories(catalog, ['x86_64']), { profile: 'p', defaultAction: { kind: 'kill-process' }, level: strict ? 'strict' : 'balanced' });
        const resolved = resolvePolicy(policy, 'x86_64', { catalog });
        const program = compilePolicy(resolved).program;
        for (const s of shapes) {
          const args = (s.values ?? []).map((v) => v ?? 0n);
          const what = `${argv[0]} ${strict ? 'strict' : ''}: ${s.name}(${args.join(', ')})`;
          assert.is(decide(resolved, s.nr, args).kind, 'allow', what);
          assert.is(retToAction(execute(program, { nr: s.nr, arch: AUDIT_ARCH.x86_64, args }).verdict)?.kind, 'allow', what);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
