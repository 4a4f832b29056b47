// One live status line on stderr while tracing, redrawn in place; only when stderr is a terminal.
import type { Io } from './io.js';

export interface ProgressSample {
  readonly events: number;
  readonly distinct: number;
  readonly processes: number;
}

export interface Progress {
  stop(): void;
}

const TICK_MS = 250;

export function formatProgress(elapsedMs: number, sample: ProgressSample, ratePerSec: number): string {
  const secs = (elapsedMs / 1000).toFixed(1);
  return `tracing ${secs}s · ${sample.events} events · ${Math.round(ratePerSec)}/s · ${sample.distinct} syscalls · ${sample.processes} processes`;
}

/** Starts redrawing when `io.errIsTTY`; otherwise does nothing. */
export function startProgress(io: Io, sample: () => ProgressSample, now: () => number = Date.now): Progress {
  if (!io.errIsTTY) return { stop: () => undefined };
  const started = now();
  let last = { at: started, events: 0 };
  const timer = setInterval(() => {
    const s = sample();
    const t = now();
    const rate = t > last.at ? ((s.events - last.events) * 1000) / (t - last.at) : 0;
    last = { at: t, events: s.events };
    io.err(`\r\x1b[K${formatProgress(t - started, s, rate)}`);
  }, TICK_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      io.err('\r\x1b[K');
    },
  };
}
