// The Kafel semantics cases (helpers/kafel-cases.ts) in the real kernel: each case's policy is compiled with
// every action rewritten to a distinct ERRNO (nothing a probe issues can run), each call is made under it,
// and the errno the kernel returns must name the action Kafel gives that call.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compilePolicy } from '../../src/bpf/compile.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import type { Action } from '../../src/policy/model.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { errnoRewrite } from '../helpers/bpf-random.js';
import { KAFEL_CASES } from '../helpers/kafel-cases.js';
import { buildSeccompProbe, runProbes } from '../helpers/seccomp-probe.js';

const t = suite('kafel/kernel');
const onX86 = process.platform === 'linux' && process.arch === 'x64';
const FIRST = 100;

t('every Kafel case: the kernel gives each call the action Kafel gives it', () => {
  if (!onX86) return console.log('skipped: needs an x86_64 Linux kernel');
  const binary = buildSeccompProbe();
  let probes = 0;
  for (const c of KAFEL_CASES) {
    const policy = resolvePolicy(parsePolicy(c.text, 't.policy'), 'x86_64');
    // errnoRewrite numbers actions in order of first appearance: default, foreign, then clause actions.
    const rewritten = errnoRewrite(policy, FIRST);
    const ids = new Map<string, number>();
    const note = (a: Action) => ids.has(JSON.stringify(a)) || ids.set(JSON.stringify(a), FIRST + ids.size);
    note(policy.defaultAction);
    note(policy.foreignArchAction);
    for (const s of policy.syscalls) for (const clause of s.clauses) note(clause.action);
    const { program } = compilePolicy(rewritten);
    const calls = c.calls.map((call) => ({ mode: 'native' as const, nr: syscallNumber('x86_64', call.syscall)!, args: call.args }));
    const kernel = runProbes(binary, program, calls);
    c.calls.forEach((call, i) => {
      const id = ids.get(JSON.stringify(call.want));
      assert.ok(id !== undefined, `${c.name}: ${call.syscall}: the expected action ${JSON.stringify(call.want)} is not in the compiled policy`);
      assert.is(kernel[i], -id!, `${c.name}: ${call.syscall}(${call.args.join(', ')}) → kernel ${kernel[i]}, want ${JSON.stringify(call.want)}`);
      probes++;
    });
  }
  assert.ok(probes >= 50, `only ${probes} probes`);
});

t.run();
