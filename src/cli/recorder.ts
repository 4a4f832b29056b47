// Glue between the pure halves and the store: parsed events go into the in-memory aggregate, which is
// committed to the run in batches (every BATCH_EVENTS events or BATCH_MS milliseconds, and at the end).
import type { ParseProblem, TraceEvent } from '../trace/events.js';
import { createAggregator, type IngestStats } from '../trace/ingest.js';
import type { RunEnd, RunWriter } from '../store/writer.js';

export const BATCH_EVENTS = 50_000;
export const BATCH_MS = 1_000;

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
  const parseErrors = (): number => parsers.reduce((n, p) => n + p.parser.stats.badLines, 0);
  const counts = () => ({ events: aggregator.stats.events, parseErrors: parseErrors() });

  function flush(): void {
    writer.write(aggregator.takeBatch(), counts());
    lastFlush = now();
  }

  return {
    add(events) {
      for (const ev of events) aggregator.add(ev);
      if (aggregator.pending >= BATCH_EVENTS) flush();
    },
    flushIfDue() {
      if (aggregator.pending > 0 && now() - lastFlush >= BATCH_MS) flush();
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
