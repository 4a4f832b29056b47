// `--report FILE`: the machine-readable report goes to a file of its own, never mixed with the program's stdout.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

export function writeReportFile(cwd: string, file: string, value: unknown): void {
  const path = resolve(cwd, file);
  try {
    writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  } catch (error) {
    throw new UsageError(`--report: cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
