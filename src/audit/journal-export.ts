// The Journal Export Format (`journalctl -o export`, systemd's JOURNAL_EXPORT_FORMATS): entries of `NAME=value\n`
// lines separated by a blank line; a value holding a newline or binary data is `NAME\n<le64 size><bytes>\n`.
// Byte-level, because binary values break line splitting.
import type { JournalFields } from './journal-entry.js';

/** Biggest field we accept; journald itself caps entries far below this (DATA_SIZE_MAX is 768 MiB, but audit
 * messages are < 9 KiB). A bigger size means a corrupt or hostile stream: stop reading it. */
export const MAX_EXPORT_FIELD = 1 << 20;

export type ExportVisitor = (entry: JournalFields, lineNo: number) => void;

/** Reads the whole stream; returns an error text if it had to stop early (corrupt binary field). */
export async function forEachExportEntry(chunks: AsyncIterable<Buffer | string>, visit: ExportVisitor): Promise<string | null> {
  let buf = Buffer.alloc(0);
  let fields = new Map<string, string>();
  let lineNo = 0;
  let entryLine = 1;
  const flush = (): void => {
    if (fields.size > 0) visit(fields, entryLine);
    fields = new Map();
  };
  for await (const chunk of chunks) {
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, Buffer.from(chunk)]);
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0) break;
      const line = buf.toString('utf8', pos, nl);
      if (line === '') {
        lineNo += 1;
        flush();
        entryLine = lineNo + 1;
        pos = nl + 1;
        continue;
      }
      const eq = line.indexOf('=');
      if (eq > 0) {
        lineNo += 1;
        fields.set(line.slice(0, eq), line.slice(eq + 1));
        pos = nl + 1;
        continue;
      }
      // Binary field: 8-byte little-endian size, the bytes, then a newline.
      if (buf.length < nl + 9) break;
      const size = buf.readBigUInt64LE(nl + 1);
      if (size > BigInt(MAX_EXPORT_FIELD)) return `binary field ${line.slice(0, 40)} of ${size} bytes at entry line ${entryLine}`;
      const end = nl + 9 + Number(size);
      if (buf.length < end + 1) break;
      if (buf[end] !== 0x0a) return `binary field ${line.slice(0, 40)} not followed by a newline at entry line ${entryLine}`;
      const value = buf.toString('utf8', nl + 9, end);
      lineNo += 1 + value.split('\n').length;
      fields.set(line, value);
      pos = end + 1;
    }
    buf = buf.subarray(pos);
    if (buf.length > MAX_EXPORT_FIELD + 64 && buf.indexOf(0x0a) < 0) return `line longer than ${MAX_EXPORT_FIELD} bytes`;
  }
  flush();
  return null;
}
