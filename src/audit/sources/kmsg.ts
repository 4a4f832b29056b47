// Source `kmsg`: the kernel ring buffer, where SECCOMP records land when no auditd runs. /dev/kmsg is read
// non-blocking, one record per read(), until EAGAIN (the end of what is buffered now); `dmesg -r` when
// /dev/kmsg cannot be opened. EPIPE means the reader fell behind and records were overwritten.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { EnvironmentError } from '../../errors.js';
import { unwrapLine } from '../containers.js';
import type { ScanVisitor } from '../scan.js';
import { scanToolOutput } from './run-tool.js';

const RECORD_BUFFER = 16384; // a kmsg record is at most ~8 KiB (PRINTK_MESSAGE_MAX plus dictionary)

export interface KmsgOptions {
  readonly device?: string | undefined;
}

export async function readKmsg(opts: KmsgOptions, visit: ScanVisitor): Promise<{ description: string }> {
  const device = opts.device ?? '/dev/kmsg';
  let fd: number;
  try {
    fd = openSync(device, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return readDmesg(visit, `${device}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    readRecords(fd, visit);
  } finally {
    closeSync(fd);
  }
  return { description: `kmsg (${device})` };
}

function readRecords(fd: number, visit: ScanVisitor): void {
  const buf = Buffer.alloc(RECORD_BUFFER);
  let n = 0;
  for (;;) {
    let size: number;
    try {
      size = readSync(fd, buf, 0, buf.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return;
      if (code === 'EPIPE') {
        visit({ kind: 'lost', count: null }, n);
        continue;
      }
      if (code === 'EINVAL') continue; // record larger than our buffer: it is not a SECCOMP record
      throw new EnvironmentError(`cannot read /dev/kmsg: ${code ?? String(error)}`);
    }
    if (size === 0) return;
    n += 1;
    // A record is `prio,seq,usec,flags;text\n`, optionally followed by ` KEY=value` dictionary lines.
    const text = buf.toString('utf8', 0, size);
    const nl = text.indexOf('\n');
    visit(unwrapLine(nl < 0 ? text : text.slice(0, nl)), n);
  }
}

async function readDmesg(visit: ScanVisitor, why: string): Promise<{ description: string }> {
  const run = await scanToolOutput('dmesg', ['-r'], visit);
  if (run.exitCode !== 0) {
    throw new EnvironmentError(`cannot read the kernel log (${why}; dmesg -r: ${run.stderr || `exit ${run.exitCode}`})`, {
      hint: 'run as root, or set kernel.dmesg_restrict=0',
    });
  }
  return { description: `kmsg (dmesg -r; ${why})` };
}
