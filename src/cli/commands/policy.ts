// `learn policy PROFILE`: learn the least-category policy from a stored profile and write it in each --format.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { errnoNumber } from '../../policy/emit/errno-names.js';
import type { Action } from '../../policy/model.js';
import { openStore, resolveDbPath, storeExists } from '../../store/open.js';
import type { Io } from '../io.js';
import type { ActionResult } from '../program.js';
import { DEFAULT_FORMATS, parseFormats, POLICY_FORMATS, writePolicyOutputs, type PolicyFormat } from '../write-policy.js';

interface PolicyOptions {
  readonly db?: string;
  readonly out: string;
  readonly format: PolicyFormat[];
  readonly catalog: string;
  readonly strict?: boolean;
  readonly maxExcess?: number;
  readonly defaultAction: Action;
}

export function registerPolicy(program: Command, io: Io, _result: ActionResult): void {
  program
    .command('policy')
    .description('learn the smallest policy for a stored profile and write it in the formats you deploy')
    .argument('<profile>', 'profile name (see `learn runs`)')
    .option('--db <path>', 'store file (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--out <dir>', 'directory for the policy files', './policies')
    .option('--format <list>', `comma-separated: ${POLICY_FORMATS.join(', ')}`, parseFormats, [...DEFAULT_FORMATS])
    .option('--catalog <name|file>', 'category catalog: default, systemd, pledge, or a .policy file', 'default')
    .option('--strict', 'allow exactly the observed syscalls and argument values, no categories')
    .option('--max-excess <n>', 'refuse categories granting more than N syscalls never observed', parseCount)
    .option('--default-action <action>', 'what everything else gets: KILL, KILL_THREAD, TRAP, LOG, ERRNO(n|NAME)', parseAction, { kind: 'kill-process' })
    .addHelpText('after', '\nExample:\n  learn -- nginx -g "daemon off;"   # trace, store the profile "nginx"\n  learn policy nginx --format kafel,oci,systemd --out ./policies\n')
    .action((profile: string, o: PolicyOptions) => {
      const path = resolveDbPath(o.db, io.env, io.cwd);
      if (!storeExists(path)) throw new UsageError(`no store at ${path}`, { hint: 'trace something first: learn -- CMD, or pass --db' });
      const store = openStore(path);
      try {
        writePolicyOutputs(store.db, profile, {
          outDir: o.out, formats: o.format, catalog: o.catalog, strict: o.strict === true, maxExcess: o.maxExcess,
          defaultAction: o.defaultAction, now: new Date(),
        }, io);
      } finally {
        store.close();
      }
    });
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--max-excess takes a whole number, got '${value}'`);
  return Number(value);
}

/** `KILL`, `ERRNO(1)`, `ERRNO(EPERM)`, … as in the policy language. */
export function parseAction(value: string): Action {
  const text = value.trim().toUpperCase();
  const simple: Readonly<Record<string, Action>> = {
    KILL: { kind: 'kill-process' }, KILL_PROCESS: { kind: 'kill-process' }, KILL_THREAD: { kind: 'kill-thread' },
    TRAP: { kind: 'trap' }, LOG: { kind: 'log' }, ALLOW: { kind: 'allow' }, USER_NOTIF: { kind: 'user-notif' },
  };
  const found = simple[text];
  if (found) return found;
  const m = /^ERRNO\((\w+)\)$/.exec(text);
  const errno = m ? (/^\d+$/.test(m[1]!) ? Number(m[1]) : errnoNumber(m[1]!)) : undefined;
  if (errno === undefined || errno < 0 || errno > 4095) {
    throw new UsageError(`--default-action: '${value}' is not an action`, { hint: 'use KILL, KILL_THREAD, TRAP, LOG, ERRNO(1) or ERRNO(EPERM)' });
  }
  return { kind: 'errno', errno };
}
