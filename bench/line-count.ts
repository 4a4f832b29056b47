// The yardstick for parsing speed: split2 plus one regex per line, nothing else. Run as a child:
// `node dist/bench/line-count.js FILE` prints how many lines look like syscalls.
import { createReadStream } from 'node:fs';
import split2 from 'split2';

const SYSCALL_LINE = /^\d+\s+[a-z_0-9]+\(/;
let matched = 0;
createReadStream(process.argv[2] ?? '/dev/stdin', { highWaterMark: 1 << 20 })
  .pipe(split2())
  .on('data', (line: string) => {
    if (SYSCALL_LINE.test(line)) matched++;
  })
  .on('end', () => process.stdout.write(`${matched}\n`));
