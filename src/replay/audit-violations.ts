// EDGE (audit sources): reads the kernel's SECCOMP records since a replay started and keeps the replayed
// tree's. The kernel queues a record when the call is made and a kernel thread delivers it a moment later,
// so a kill the exit status shows but the log does not yet is waited for briefly.
import { readAuditSource, type AuditSourceName } from '../audit/sources/select.js';
import { ToolError } from '../errors.js';
import { summarizeViolations, treeRecords, type ReplayTree, type ViolationReport } from './violations.js';

export type AuditReading =
  | {
      readonly available: true;
      readonly source: string;
      readonly report: ViolationReport;
      /** Records the kernel said it dropped meanwhile (printk's rate limit): the list may be short. */
      readonly lostAtLeast: number;
      readonly lossReports: number;
    }
  | { readonly available: false; readonly reason: string };

export interface AuditQuery {
  readonly source: AuditSourceName;
  readonly sinceMs: number;
  readonly tree: ReplayTree;
  /** A process died of SIGSYS: its KILL record should be there. */
  readonly expectKill: boolean;
}

const RETRIES = 5;
const RETRY_MS = 100;

export async function readReplayAudit(q: AuditQuery): Promise<AuditReading> {
  for (let attempt = 0; ; attempt++) {
    let read;
    try {
      read = await readAuditSource({ source: q.source, window: { sinceMs: q.sinceMs } });
    } catch (error) {
      if (error instanceof ToolError) return { available: false, reason: error.message };
      throw error;
    }
    const report = summarizeViolations(treeRecords(read.collection.records, q.tree));
    if (!q.expectKill || report.fatal.length > 0 || attempt >= RETRIES) {
      const c = read.collection;
      return { available: true, source: read.description, report, lostAtLeast: c.lostAtLeast, lossReports: c.lossReports };
    }
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}
