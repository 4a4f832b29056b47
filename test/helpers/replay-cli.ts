// For `learn replay` CLI tests: the mkdir probe, built once per source hash, and replays read back as JSON.
import { buildHelperProgram } from './c-program.js';
import { runLearn, type LearnResult } from './learn-cli.js';


export function buildMkdirProbe(): string {
  return buildHelperProgram('mkdir-probe');
}

export interface ReplayJson {
  readonly replay: { filter: string; kind: string; cache: string; mode: string; launcher: string };
  readonly pid: number;
  readonly outcome: { kind: string; description: string };
  readonly exitCode: number;
  readonly killedBy: { pid: number; name: string; arch: string; action: string } | null;
  readonly audit: { available: boolean; source?: string; lossReports?: number } | null;
  readonly violations: readonly { name: string; arch: string; action: string; count: number; pids: number[] }[];
}

/** The JSON report at the end of stdout (the target prints before it). */
export function replayReport(stdout: string): ReplayJson {
  const at = stdout.lastIndexOf('{\n  "replay"');
  if (at < 0) throw new Error(`no replay report in: ${stdout.slice(-300)}`);
  return JSON.parse(stdout.slice(at)) as ReplayJson;
}

/**
 * Runs `learn replay --json`; when the report lacks what `logged` wants and the kernel says it dropped
 * records (printk's audit rate limit, 10 per 5 s, is shared by every test on the machine), once more
 * after the limit's window.
 */
export async function replayJson(args: readonly string[], logged: (r: ReplayJson) => boolean, cwd?: string):
  Promise<{ run: LearnResult; report: ReplayJson }> {
  for (let attempt = 0; ; attempt++) {
    const run = await runLearn(['replay', '--json', ...args], cwd === undefined ? {} : { cwd });
    const report = replayReport(run.stdout);
    if (logged(report) || attempt > 0 || !report.audit?.lossReports) return { run, report };
    await new Promise((r) => setTimeout(r, 5500));
  }
}
