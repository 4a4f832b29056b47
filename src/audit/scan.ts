// Reads any text that holds audit records — kmsg, dmesg (also --json), audit.log, ausearch output, journalctl
// -o json/json-pretty/verbose/export — and reports each record (or non-record) with its line number.
// Line containers go through containers.ts; journal entries through journal-entry.ts.
import { unwrapLine, type Unwrapped } from './containers.js';
import { forEachExportEntry } from './journal-export.js';
import { fieldsFromJson, unwrapJournalEntry, type JournalFields } from './journal-entry.js';
import { forEachLine } from './lines.js';
import { MAX_BODY_LENGTH } from './parse-record.js';

export type ScanVisitor = (item: Unwrapped, lineNo: number) => void;

/** Longest line we read: a record body plus the longest container prefix (a journal JSON object). */
export const MAX_LINE_LENGTH = 4 * MAX_BODY_LENGTH;
const MAX_PRETTY_LINES = 400;
const EXPORT_FIRST_LINE = /^[A-Z_][A-Z0-9_]*(=|\n)/;
const VERBOSE_HEAD = /^[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[s=/;
const VERBOSE_FIELD = /^ {4}([A-Za-z0-9_]+)=(.*)$/;
/** `dmesg --json`: `{`, then `"dmesg": [`, then one object per message (over several lines, or one). */
const DMESG_HEAD = /^\s*"dmesg":\s*\[\s*$/;
const DMESG_MSG = /"msg":\s*("(?:[^"\\]|\\.)*")/;

export async function scanAuditStream(chunks: AsyncIterable<Buffer | string>, visit: ScanVisitor): Promise<void> {
  const { first, rest } = await peek(chunks);
  if (first === undefined) return;
  const head = first.subarray(0, 256).toString('latin1');
  if (EXPORT_FIRST_LINE.test(head)) {
    const error = await forEachExportEntry(rest, (entry, line) => visit(unwrapJournalEntry(entry), line));
    if (error !== null) visit({ kind: 'skip', reason: `journal export stream cut short: ${error}` }, 0);
    return;
  }
  const lines = createLineReader(visit);
  await forEachLine(rest, MAX_LINE_LENGTH, lines.line);
  lines.end();
}

/** The line-level state machine: plain container lines, JSON objects (one per line or pretty-printed),
 * `-o verbose` entries (a header line, then `    NAME=value` lines) and `dmesg --json`'s message list. */
function createLineReader(visit: ScanVisitor) {
  let dmesg = false;
  let pretty: string[] | null = null;
  let prettyStart = 0;
  let verbose: Map<string, string> | null = null;
  let verboseStart = 0;

  const json = (text: string, lineNo: number): void => {
    let fields: JournalFields | undefined;
    try {
      fields = fieldsFromJson(JSON.parse(text));
    } catch {
      fields = undefined;
    }
    visit(fields ? unwrapJournalEntry(fields) : { kind: 'skip', reason: 'line starting with { is not a JSON object' }, lineNo);
  };
  const endVerbose = (): void => {
    if (verbose) visit(unwrapJournalEntry(verbose), verboseStart);
    verbose = null;
  };

  const line = (text: string | null, lineNo: number): void => {
    if (text === null) {
      visit({ kind: 'skip', reason: `line longer than ${MAX_LINE_LENGTH} characters` }, lineNo);
      return;
    }
    if (dmesg) {
      // each message is a kernel line without its prefix; the other lines are the objects' structure
      const msg = DMESG_MSG.exec(text)?.[1];
      if (msg !== undefined) visit(dmesgMessage(msg), lineNo);
      else if (text === '}') dmesg = false;
      return;
    }
    if (pretty) {
      if (pretty.length === 1 && DMESG_HEAD.test(text)) {
        pretty = null;
        dmesg = true;
        return;
      }
      pretty.push(text);
      if (text === '}') {
        json(pretty.join('\n'), prettyStart);
        pretty = null;
      } else if (pretty.length > MAX_PRETTY_LINES) {
        visit({ kind: 'skip', reason: `JSON object longer than ${MAX_PRETTY_LINES} lines` }, prettyStart);
        pretty = null;
      }
      return;
    }
    if (verbose) {
      const field = VERBOSE_FIELD.exec(text);
      if (field) {
        verbose.set(field[1] ?? '', field[2] ?? '');
        return;
      }
      endVerbose();
    }
    if (text === '{') {
      pretty = [text];
      prettyStart = lineNo;
    } else if (text.startsWith('{')) {
      json(text, lineNo);
    } else if (VERBOSE_HEAD.test(text)) {
      verbose = new Map();
      verboseStart = lineNo;
    } else {
      visit(unwrapLine(text), lineNo);
    }
  };
  const end = (): void => {
    endVerbose();
    if (pretty) visit({ kind: 'skip', reason: 'unterminated JSON object' }, prettyStart);
  };
  return { line, end };
}

function dmesgMessage(quoted: string): Unwrapped {
  try {
    return unwrapLine(JSON.parse(quoted) as string);
  } catch {
    return { kind: 'skip', reason: 'dmesg --json message is not a JSON string' };
  }
}

/** The first chunk (as a Buffer) and an iterable that replays it before the rest. */
async function peek(chunks: AsyncIterable<Buffer | string>): Promise<{ first: Buffer | undefined; rest: AsyncIterable<Buffer> }> {
  const it = chunks[Symbol.asyncIterator]();
  const head = await it.next();
  const first = head.done ? undefined : Buffer.from(head.value);
  async function* rest(): AsyncGenerator<Buffer> {
    if (first !== undefined) yield first;
    for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value);
  }
  return { first, rest: rest() };
}
