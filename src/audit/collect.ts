// Turns unwrapped items from any source into the records to import: time window on the audit(…) stamp,
// one record per stamp+serial (journald's second copy, overlapping files), and every unusable record counted
// with a one-line reason. Pure: sources feed it, the command reads the result.
import { assertNever } from '../policy/model.js';
import type { Unwrapped } from './containers.js';
import { parseSeccompBody } from './parse-record.js';
import { stampKey, stampMs, type AuditRecord } from './record.js';

export interface TimeWindow {
  /** Inclusive bounds in epoch milliseconds. */
  readonly sinceMs?: number | undefined;
  readonly untilMs?: number | undefined;
}

export interface SkippedRecord {
  /** `file:line` (or `journal:entry`) of the record. */
  readonly place: string;
  readonly reason: string;
}

export interface Collection {
  readonly records: AuditRecord[];
  /** SECCOMP records seen in the input, before any filtering. */
  readonly seen: number;
  readonly duplicates: number;
  readonly outsideWindow: number;
  /** Skipped record count per reason, and the first few skipped records. */
  readonly skipped: ReadonlyMap<string, number>;
  readonly skippedSamples: readonly SkippedRecord[];
  /** `callbacks suppressed` and similar lines: records the kernel may have dropped. */
  readonly lossReports: number;
  /** Sum of the counts those lines gave (`5 callbacks suppressed` → 5). */
  readonly lostAtLeast: number;
}

export interface Collector {
  add(item: Unwrapped, place: () => string): void;
  finish(): Collection;
}

const SAMPLE_LIMIT = 20;

export function createCollector(window: TimeWindow = {}): Collector {
  const records: AuditRecord[] = [];
  const keys = new Set<string>();
  const skipped = new Map<string, number>();
  const samples: SkippedRecord[] = [];
  let seen = 0;
  let duplicates = 0;
  let outsideWindow = 0;
  let lossReports = 0;
  let lostAtLeast = 0;
  // A `callbacks suppressed` line has no wall-clock time: the records it stands for were dropped between the
  // record before it and the record after it. Count it only when that interval touches the window.
  let pendingLoss: { count: number | null; afterMs: number } | null = null;
  let lastMs = -Infinity;
  const settleLoss = (beforeMs: number): void => {
    if (pendingLoss === null) return;
    const inWindow = (window.sinceMs === undefined || beforeMs >= window.sinceMs) && (window.untilMs === undefined || pendingLoss.afterMs <= window.untilMs);
    if (inWindow) {
      lossReports += 1;
      lostAtLeast += pendingLoss.count ?? 0;
    }
    pendingLoss = null;
  };

  const skip = (reason: string, place: () => string): void => {
    skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
    if (samples.length < SAMPLE_LIMIT) samples.push({ place: place(), reason });
  };

  const add = (item: Unwrapped, place: () => string): void => {
    switch (item.kind) {
      case 'other':
        return;
      case 'lost':
        settleLoss(lastMs);
        pendingLoss = { count: item.count, afterMs: lastMs };
        return;
      case 'skip':
        seen += 1;
        skip(item.reason, place);
        return;
      case 'seccomp': {
        seen += 1;
        const ms = stampMs(item.stamp);
        settleLoss(ms);
        lastMs = ms;
        if ((window.sinceMs !== undefined && ms < window.sinceMs) || (window.untilMs !== undefined && ms > window.untilMs)) {
          outsideWindow += 1;
          return;
        }
        const key = stampKey(item.stamp);
        if (keys.has(key)) {
          duplicates += 1;
          return;
        }
        keys.add(key);
        const parsed = parseSeccompBody(item.body, item.stamp, item.interpreted);
        if (!parsed.ok) return skip(parsed.reason, place);
        const unusable = unusableReason(parsed.record);
        if (unusable !== null) return skip(unusable, place);
        records.push(parsed.record);
        return;
      }
      default:
        return assertNever(item);
    }
  };

  const finish = (): Collection => {
    settleLoss(Infinity);
    return { records, seen, duplicates, outsideWindow, skipped, skippedSamples: samples, lossReports, lostAtLeast };
  };
  return { add, finish };
}

/** A record that parsed but cannot become an observation: we have no table for its arch or number. */
function unusableReason(r: AuditRecord): string | null {
  if (r.arch === null) return `unknown arch ${r.archText}`;
  if (r.name === null) return `syscall ${r.nr} is not in the ${r.arch} table`;
  return null;
}
