// `learn policy PROFILE`: learn the least-category policy from a stored profile and write it in each --format.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { openStore, storeExists } from '../../store/open.js';
import { resolveDbPath } from '../../store/path.js';
import type { Io } from '../io.js';
import { addPolicyOptions, policyDate, policyOutputOptions, type PolicyFlags } from '../policy-options.js';
import type { ActionResult } from '../program.js';
import { writePolicyOutputs } from '../write-policy.js';

interface PolicyOptions extends PolicyFlags {
  readonly db?: string;
}

export function registerPolicy(program: Command, io: Io, _result: ActionResult): void {
  const command = program
    .command('policy')
    .description('learn the smallest policy for a stored profile and write it in the formats you deploy')
    .argument('<profile>', 'profile name (see `learn runs`)')
    .option('--db <path>', 'store file (default: $LEARN_DB or ./.learn/learn.db)');
  addPolicyOptions(command)
    .addHelpText('after', '\nExample:\n  learn -- nginx -g "daemon off;"   # trace, store the profile "nginx"\n  learn policy nginx --format kafel,oci,systemd --out ./policies\n')
    .action((profile: string, o: PolicyOptions) => {
      const path = resolveDbPath(o.db, io.env, io.cwd);
      if (!storeExists(path)) throw new UsageError(`no store at ${path}`, { hint: 'trace something first: learn -- CMD, or pass --db' });
      const options = policyOutputOptions(o, policyDate(io.env));
      const store = openStore(path);
      try {
        writePolicyOutputs(store.db, profile, options, io);
      } finally {
        store.close();
      }
    });
}
