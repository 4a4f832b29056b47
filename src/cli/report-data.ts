// EDGE: what `learn report` reads from the store about a profile: calls per syscall and arch, and which
// programs made them (exactly, from stored events when the runs kept them; else the programs of the runs).
import { basename } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { ObservedCall } from '../report/model.js';
import { listRuns, profileObservations, profileProcesses } from '../store/queries.js';

export function profileCalls(db: Database, profile: string): { calls: ObservedCall[]; source: string } {
  const byName = new Map<string, { counts: Map<string, number>; runs: Set<number> }>();
  for (const o of profileObservations(db, profile)) {
    const entry = byName.get(o.name) ?? { counts: new Map<string, number>(), runs: new Set<number>() };
    entry.counts.set(o.arch, (entry.counts.get(o.arch) ?? 0) + o.count);
    for (const id of o.runIds) entry.runs.add(id);
    byName.set(o.name, entry);
  }
  const exesByRun = new Map<number, Set<string>>();
  for (const p of profileProcesses(db, profile)) {
    const set = exesByRun.get(p.runId) ?? new Set<string>();
    set.add(p.exe === null ? 'unknown program' : basename(p.exe));
    exesByRun.set(p.runId, set);
  }
  const exact = eventProcesses(db, profile);
  const calls = [...byName].map(([name, e]): ObservedCall => ({
    name,
    counts: e.counts,
    processes: exact.get(name) ?? [...e.runs].sort((a, b) => a - b).map((id) => `run #${id}: ${[...(exesByRun.get(id) ?? [])].sort().join(', ') || 'unknown'}`),
  }));
  const runs = listRuns(db, profile);
  return { calls, source: `profile ${profile}: ${runs.length} run${runs.length === 1 ? '' : 's'} (${runs.map((r) => `#${r.id} ${r.command.join(' ')}`).join('; ')})` };
}

/** Per syscall, the programs (with their process counts) that made it, from runs recorded with --record-events. */
function eventProcesses(db: Database, profile: string): Map<string, string[]> {
  const rows = db.prepare(`
    SELECT e.name, pr.exe, count(DISTINCT e.run_id || ':' || e.pid) AS pids
    FROM events e JOIN runs r ON r.id = e.run_id JOIN profiles p ON p.id = r.profile_id
      LEFT JOIN processes pr ON pr.run_id = e.run_id AND pr.pid = e.pid
    WHERE p.name = ? GROUP BY e.name, pr.exe ORDER BY e.name, pr.exe`).all(profile) as { name: string; exe: string | null; pids: number }[];
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.name) ?? [];
    list.push(`${r.exe === null ? 'unknown program' : basename(r.exe)} (${r.pids} process${r.pids === 1 ? '' : 'es'})`);
    out.set(r.name, list);
  }
  return out;
}
