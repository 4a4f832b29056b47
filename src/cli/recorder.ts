// Glue between the pure halves and the store: parsed events go into the in-memory aggregate, which is
// committed to the run in batches (the first as soon as there is one, then every BATCH_EVENTS events or BATCH_MS
// milliseconds, and at the end).
import type { ParseProblem, TraceEvent } from '../trace/events.js';
import { createAggregator, type IngestStats } from '../trace/ingest.js';
import type { RunEnd, RunWriter } from '../store/writer.js';

export const BATCH_EVENTS = 50_000;
export const BATCH_MS = 1_000;
/** How often a caller should call flushIfDue: the first batch goes out at the first check that has events, so
 * a learn killed in its first second still leaves what it saw. */
export const FLUSH_CHECK_MS = 100;

/** The parts of a parser the run's report reads (live: read at the end, not when tracked). */
export interface ParserLike {
  readonly problems: readonly ParseProblem[];
  readonly stats: { readonly lines: number; readonly badLines: number };
}

/** One parser (one input file or one strace stream) and the file it read, for places in messages. */
export interface ParserReport {
  readonly file: string | undefined;
  readonly parser: ParserLike;
}

export interface Recorder {
  add(events: readonly TraceEvent[]): void;
  /** Commits the pending batch when it is big or old enough. */
  flushIfDue(): void;
  flush(): void;
  /** Registers a parser whose bad-line count is stored with the run. */
  track(parser: ParserLike, file?: string): void;
  finish(end: RunEnd): void;
  readonly stats: IngestStats;
  readonly parseErrors: number;
  readonly parsers: readonly ParserReport[];
}

export function createRecorder(writer: RunWriter, options: { recordEvents?: boolean; now?: () => number } = {}): Recorder {
  const now = options.now ?? Date.now;
  const aggregator = createAggregator({ recordEvents: options.recordEvents === true });
  const parsers: ParserReport[] = [];
  let lastFlush = now();
  let flushed = false;
  const parseErrors = (): number => parsers.reduce((n, p) => n + p.parser.stats.badLines, 0);
  const counts = () => ({ events: aggregator.stats.events, parseErrors: parseErrors() });

  function flush(): void {
    writer.write(aggregator.takeBatch(), counts());
    lastFlush = now();
    flushed = true;
  }

  return {
    add(events) {
      for (const ev of events) aggregator.add(ev);
      if (aggregator.pending >= BATCH_EVENTS) flush();
    },
    flushIfDue() {
      if (aggregator.pending > 0 && (!flushed || now() - lastFlush >= BATCH_MS)) flush();
    },
    flush,
    track(parser, file) {
      parsers.push({ file, parser });
    },
    finish(end) {
      aggregator.end();
      flush();
      writer.finish(end, counts());
    },
    get stats() {
      return aggregator.stats;
    },
    get parseErrors() {
      return parseErrors();
    },
    parsers,
  };
}
