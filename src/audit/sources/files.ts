// Sources that read files: `auditd` (audit.log and its rotations) and `file` (named paths, `-` for stdin).
import { accessSync, constants, createReadStream, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { EnvironmentError, UsageError } from '../../errors.js';
import { scanAuditStream, type ScanVisitor } from '../scan.js';

export const DEFAULT_AUDIT_LOG = '/var/log/audit/audit.log';

/** Reads one file (or stdin for `-`), reporting items with the file's name for places. */
export type PlacedVisitor = (file: string) => ScanVisitor;

export async function readFiles(paths: readonly string[], stdin: Readable, visit: PlacedVisitor): Promise<{ description: string }> {
  if (paths.length === 0) throw new UsageError('--source file needs at least one file (or - for stdin)');
  for (const path of paths) {
    if (path === '-') {
      await scanAuditStream(stdin, visit('<stdin>'));
      continue;
    }
    await scanAuditStream(openReadable(path, UsageError), visit(path));
  }
  return { description: `file (${paths.join(', ')})` };
}

/** audit.log plus rotations audit.log.1 … audit.log.N in the same directory, oldest first. */
export function auditLogFiles(log: string): string[] {
  const dir = dirname(log);
  const base = basename(log);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [log];
  }
  const rotations = names
    .map((n) => ({ n, m: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)$`).exec(n) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ path: join(dir, x.n), k: Number(x.m?.[1]) }))
    .sort((a, b) => b.k - a.k)
    .map((x) => x.path);
  return [...rotations, log];
}

export function isReadable(path: string): boolean {
  return unreadableReason(path) === null;
}

function unreadableReason(path: string): string | null {
  try {
    accessSync(path, constants.R_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
  }
}

/** Each log (by default the system's) with its rotations, oldest first. */
export async function readAuditd(logs: readonly string[] | undefined, visit: PlacedVisitor): Promise<{ description: string }> {
  const paths = (logs?.length ? logs : [DEFAULT_AUDIT_LOG]).flatMap(auditLogFiles);
  for (const path of paths) await scanAuditStream(openReadable(path, EnvironmentError), visit(path));
  return { description: `auditd (${paths.join(', ')})` };
}

function openReadable(path: string, ErrorClass: typeof UsageError | typeof EnvironmentError): Readable {
  const why = unreadableReason(path);
  if (why === null) return createReadStream(path);
  const hint = !path.startsWith('/var/log/audit/')
    ? undefined
    : why === 'no such file'
      ? 'no auditd log here: try --source journal or --source kmsg'
      : 'audit logs are readable by root only';
  throw new ErrorClass(`cannot read ${path}: ${why}`, { hint });
}
