// Child process of test/unit/fuzz-readers.test.ts: feeds COUNT seeded mutations of the strace and audit
// fixtures through the readers exactly as `learn from-strace` / `learn from-audit` do, and prints one JSON
// line: crashes (any throw but the typed input errors), inputs slower than the limit, and its peak RSS.
// A child so the RSS is this batch's alone; it writes each input's index to stderr first, so an input
// that hangs is named by the last index the parent saw.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forEachLine, skipReason } from '../../src/cli/trace-files.js';
import { ToolError } from '../../src/errors.js';
import { createStraceParser } from '../../src/trace/assemble.js';
import { createAggregator } from '../../src/trace/ingest.js';
import { collectText } from './audit.js';
import { makeRng } from './bpf-random.js';
import { mutate } from './mutate.js';

export interface FuzzReport {
  readonly count: number;
  readonly crashes: ReadonlyArray<{ index: number; kind: string; mutation: string; error: string }>;
  readonly slow: ReadonlyArray<{ index: number; kind: string; mutation: string; ms: number }>;
  readonly maxMs: number;
  readonly maxRssBytes: number;
  readonly byKind: Readonly<Record<string, number>>;
}

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const SLOW_MS = 5_000;
/** Mutated inputs stay under this size ('long' and 'deep' mutations reach it). */
const MAX_BYTES = 1 << 20;

function readDir(dir: string): string[] {
  return readdirSync(join(FIXTURES, dir)).filter((f) => f.endsWith('.txt') || f.endsWith('.json') || f.endsWith('.log'))
    .map((f) => readFileSync(join(FIXTURES, dir, f), 'utf8'));
}

/** Lines, and windows of a few consecutive lines (unfinished/resumed pairs, pretty JSON, verbose entries). */
function pieces(texts: readonly string[]): string[] {
  const out: string[] = [];
  for (const text of texts) {
    const lines = text.split('\n').filter((l) => l !== '');
    out.push(...lines);
    for (let i = 0; i + 4 < lines.length; i += 7) out.push(lines.slice(i, i + 1 + (i % 5)).join('\n'));
  }
  return out;
}

function feedStrace(text: string): void {
  const parser = createStraceParser();
  const agg = createAggregator({ recordEvents: true });
  for (const line of text.split('\n')) for (const ev of parser.feed(line)) agg.add(ev);
  for (const ev of parser.finish()) agg.add(ev);
  agg.takeBatch();
}

async function readStraceFile(dir: string, text: string): Promise<void> {
  const file = join(dir, 'input.trace');
  writeFileSync(file, text);
  if (skipReason(file) !== null) return;
  const parser = createStraceParser();
  const agg = createAggregator();
  await forEachLine(file, (line) => parser.feed(line).forEach((ev) => agg.add(ev)));
  parser.finish().forEach((ev) => agg.add(ev));
  agg.takeBatch();
}

async function main(): Promise<void> {
  const [seed = 1, count = 100] = process.argv.slice(2).map(Number);
  const straceFiles = readDir('strace');
  const auditFiles = readDir('audit');
  const straceBases = pieces(straceFiles);
  const auditBases = pieces(auditFiles);
  const smallAuditFiles = auditFiles.filter((t) => t.length < 40_000);
  const rng = makeRng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'learn-fuzz-'));
  const crashes: Array<FuzzReport['crashes'][number]> = [];
  const slow: Array<FuzzReport['slow'][number]> = [];
  const byKind: Record<string, number> = {};
  let maxMs = 0;
  try {
    for (let index = 0; index < count; index++) {
      const r = rng.next();
      // 45% strace lines, 10% whole strace files through the file reader, 35% audit records, 10% audit files
      const kind = r < 0.45 ? 'strace-line' : r < 0.55 ? 'strace-file' : r < 0.9 ? 'audit-record' : 'audit-file';
      const bases = kind === 'strace-line' ? straceBases : kind === 'strace-file' ? straceFiles : kind === 'audit-record' ? auditBases : smallAuditFiles;
      const m = mutate(rng, rng.pick(bases), bases, MAX_BYTES);
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      process.stderr.write(`${index} ${kind} ${m.kind}\n`);
      const start = performance.now();
      try {
        if (kind === 'strace-line') feedStrace(m.text);
        else if (kind === 'strace-file') await readStraceFile(dir, m.text);
        else await collectText(m.text);
      } catch (error) {
        if (!(error instanceof ToolError)) {
          crashes.push({ index, kind, mutation: m.kind, error: error instanceof Error ? (error.stack ?? error.message).slice(0, 600) : String(error) });
        }
      }
      const ms = performance.now() - start;
      maxMs = Math.max(maxMs, ms);
      if (ms > SLOW_MS) slow.push({ index, kind, mutation: m.kind, ms: Math.round(ms) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const report: FuzzReport = { count, crashes, slow, maxMs: Math.round(maxMs), maxRssBytes: process.resourceUsage().maxRSS * 1024, byKind };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
