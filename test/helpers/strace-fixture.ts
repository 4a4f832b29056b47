// Reading the strace captures in fixtures/strace/ through the streaming parser, line by line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStraceParser, type StraceParser, type StraceParserOptions } from '../../src/trace/assemble.js';
import type { SyscallEvent, TraceEvent } from '../../src/trace/events.js';

export const STRACE_FIXTURES = fileURLToPath(new URL('../../../fixtures/strace/', import.meta.url));

/** Every capture, as a path relative to fixtures/strace (the -ff directories' files included). */
export function straceFixtures(): string[] {
  return readdirSync(STRACE_FIXTURES)
    .flatMap((name) => statSync(join(STRACE_FIXTURES, name)).isDirectory()
      ? readdirSync(join(STRACE_FIXTURES, name)).map((f) => `${name}/${f}`)
      : [name])
    .filter((f) => f !== 'README.md')
    .sort();
}

/** Physical lines of a text as a line reader gives them: no newlines, no empty line after the last one. */
export function physicalLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export interface Parsed {
  readonly events: TraceEvent[];
  readonly parser: StraceParser;
}

export function parseLines(lines: readonly string[], options: StraceParserOptions = {}): Parsed {
  const parser = createStraceParser(options);
  const events: TraceEvent[] = [];
  for (const line of lines) events.push(...parser.feed(line));
  events.push(...parser.finish());
  return { events, parser };
}

/** `-ff` files are `trace.<pid>`: that pid is the default for their prefix-less lines. */
export function parseFixture(file: string): Parsed & { readonly lines: string[] } {
  const lines = physicalLines(readFileSync(join(STRACE_FIXTURES, file), 'latin1'));
  const ff = /\.ff\/trace\.(\d+)$/.exec(file);
  return { ...parseLines(lines, ff ? { defaultPid: Number(ff[1]) } : { file }), lines };
}

export function syscalls(events: readonly TraceEvent[]): SyscallEvent[] {
  return events.filter((e): e is SyscallEvent => e.kind === 'syscall');
}
