import type { Command } from 'commander';
import { printable } from '../../text/safe-text.js';
import { openStore, storeExists } from '../../store/open.js';
import { resolveDbPath } from '../../store/path.js';
import { listProfiles, listRuns, type ProfileRow, type RunRow } from '../../store/queries.js';
import type { Io } from '../io.js';
import type { ActionResult, RegisterCommand } from '../program.js';

export const registerRuns: RegisterCommand = (program: Command, io: Io, _result: ActionResult) => {
  program
    .command('runs')
    .summary('list profiles and their runs')
    .description('List every profile in the store with its runs: source, status, exit, events, syscalls, parse problems.')
    .argument('[profile]', 'only this profile')
    .option('--db <path>', 'store file (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--json', 'print {profiles, runs} as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  learn runs\n  learn runs nginx --json')
    .action((profile: string | undefined, opts: { db?: string; json?: boolean }) => {
      const path = resolveDbPath(opts.db, io.env, io.cwd);
      const { profiles, runs } = storeExists(path) ? readRuns(path, profile) : { profiles: [], runs: [] };
      if (opts.json === true) io.out(`${JSON.stringify({ profiles, runs }, null, 2)}\n`);
      else io.out(formatRuns(profiles, runs));
    });
};

function readRuns(path: string, profile: string | undefined): { profiles: ProfileRow[]; runs: RunRow[] } {
  const store = openStore(path);
  try {
    const profiles = listProfiles(store.db).filter((p) => profile === undefined || p.name === profile);
    return { profiles, runs: listRuns(store.db, profile) };
  } finally {
    store.close();
  }
}

export function formatRuns(profiles: readonly ProfileRow[], runs: readonly RunRow[]): string {
  if (profiles.length === 0) return 'no runs yet: trace a program with `learn -- CMD`\n';
  const lines: string[] = [];
  for (const p of profiles) {
    lines.push(`${p.name}: ${p.runs} run${p.runs === 1 ? '' : 's'}, ${p.events} events`);
    for (const r of runs.filter((x) => x.profile === p.name)) {
      const exit = r.signal !== null ? `killed by ${r.signal}` : r.exitCode !== null ? `exit ${r.exitCode}` : '';
      const problems = r.parseErrors > 0 ? `, ${r.parseErrors} parse problems` : '';
      lines.push(`  #${r.id} ${r.startedAt} ${r.recorder ?? r.source} ${r.status}${exit === '' ? '' : ` (${exit})`}: ` +
        `${r.events} events, ${r.syscalls} syscalls${problems} · ${r.command.join(' ')}`);
    }
  }
  return `${lines.map(printable).join('\n')}\n`;
}
