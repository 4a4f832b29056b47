// EDGE: what `learn report` reads from the store about a profile: calls per syscall and arch, and which
// programs made them (exactly, from stored events when the runs kept them; else the programs of the runs).
import { basename } from 'node:path';
import type { Database } from 'better-sqlite3';
import { storedValues } from '../learn/observations.js';
import type { ObservedCall } from '../report/model.js';
import { listRuns, profileObservations, profileProcesses, type ProcessSummary } from '../store/queries.js';

export function profileCalls(db: Database, profile: string): { calls: ObservedCall[]; source: string } {
  const byName = new Map<string, { counts: Map<string, number>; runs: Set<number>; shapes: NonNullable<ObservedCall['shapes']>[number][] }>();
  for (const o of profileObservations(db, profile)) {
    const entry = byName.get(o.name) ?? { counts: new Map<string, number>(), runs: new Set<number>(), shapes: [] };
    entry.counts.set(o.arch, (entry.counts.get(o.arch) ?? 0) + o.count);
    entry.shapes.push({ arch: o.arch, values: storedValues(o.name, o.shape) });
    for (const id of o.runIds) entry.runs.add(id);
    byName.set(o.name, entry);
  }
  const runs = listRuns(db, profile);
  const programOf = programs(profileProcesses(db, profile), new Map(runs.map((r) => [r.id, r.command[0]])));
  const exesByRun = new Map<number, Set<string>>();
  for (const [key, program] of programOf) {
    const runId = Number(key.split(':')[0]);
    exesByRun.set(runId, (exesByRun.get(runId) ?? new Set<string>()).add(program));
  }
  const exact = eventProcesses(db, profile, programOf);
  const calls = [...byName].map(([name, e]): ObservedCall => ({
    name,
    counts: e.counts,
    shapes: e.shapes,
    processes: exact.get(name) ?? [...e.runs].sort((a, b) => a - b).map((id) => `run #${id}: ${[...(exesByRun.get(id) ?? [])].sort().join(', ') || 'unknown'}`),
  }));
  return { calls, source: `profile ${profile}: ${runs.length} run${runs.length === 1 ? '' : 's'} (${runs.map((r) => `#${r.id} ${r.command.join(' ')}`).join('; ')})` };
}

/**
 * The program of each process (`run:pid`): its exe, or for a fork that did not exec, its parent's; the run's
 * command when no exec was seen (a `diff --baseline` run does not stop on execve).
 */
function programs(processes: readonly ProcessSummary[], commands: ReadonlyMap<number, string | undefined>): Map<string, string> {
  const byKey = new Map(processes.map((p) => [`${p.runId}:${p.pid}`, p]));
  const out = new Map<string, string>();
  for (const p of processes) {
    let at: ProcessSummary | undefined = p;
    for (let hops = 0; at !== undefined && at.exe === null && at.ppid !== null && hops < 64; hops++) at = byKey.get(`${p.runId}:${at.ppid}`);
    const exe = at?.exe ?? commands.get(p.runId);
    out.set(`${p.runId}:${p.pid}`, exe === null || exe === undefined ? 'unknown program' : basename(exe));
  }
  return out;
}

/** Per syscall, the programs (with their process counts) that made it, from runs recorded with --record-events. */
function eventProcesses(db: Database, profile: string, programOf: ReadonlyMap<string, string>): Map<string, string[]> {
  const rows = db.prepare(`
    SELECT DISTINCT e.name, e.run_id AS runId, e.pid
    FROM events e JOIN runs r ON r.id = e.run_id JOIN profiles p ON p.id = r.profile_id
    WHERE p.name = ? ORDER BY e.name`).all(profile) as { name: string; runId: number; pid: number }[];
  const counts = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const program = programOf.get(`${r.runId}:${r.pid}`) ?? 'unknown program';
    const perName = counts.get(r.name) ?? new Map<string, number>();
    counts.set(r.name, perName.set(program, (perName.get(program) ?? 0) + 1));
  }
  return new Map([...counts].map(([name, m]) => [name, [...m].sort().map(([program, n]) => `${program} (${n} process${n === 1 ? '' : 'es'})`)]));
}
