// Splits a byte stream into lines without ever holding more than `maxLength` characters of one line:
// a hostile input with a gigabyte-long line costs a skipped line, not the heap.
import { StringDecoder } from 'node:string_decoder';

/** Called per line (without the newline or a trailing \r); `text` is null for a line longer than the limit. */
export type LineVisitor = (text: string | null, lineNo: number) => void;

export async function forEachLine(
  chunks: AsyncIterable<Buffer | string>,
  maxLength: number,
  visit: LineVisitor,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let overflowing = false;
  let lineNo = 0;
  const emit = (text: string | null): void => {
    lineNo += 1;
    visit(text !== null && text.endsWith('\r') ? text.slice(0, -1) : text, lineNo);
  };
  const take = (text: string): void => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = overflowing || carry.length + nl - start > maxLength ? null : carry + text.slice(start, nl);
      emit(line);
      carry = '';
      overflowing = false;
      start = nl + 1;
    }
    if (overflowing) return;
    carry += text.slice(start);
    if (carry.length > maxLength) {
      carry = '';
      overflowing = true;
    }
  };
  for await (const chunk of chunks) take(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  take(decoder.end());
  if (overflowing) emit(null);
  else if (carry !== '') emit(carry);
}
