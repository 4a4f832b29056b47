// Picks and reads the audit source. `auto`: the journal if journalctl answers with entries, else auditd's log
// if it is readable, else the kernel ring buffer; the result says which one was used.
import type { Readable } from 'node:stream';
import { ToolError } from '../../errors.js';
import { assertNever } from '../../policy/model.js';
import { createCollector, type Collection, type TimeWindow } from '../collect.js';
import type { ScanVisitor } from '../scan.js';
import { DEFAULT_AUDIT_LOG, isReadable, readAuditd, readFiles } from './files.js';
import { readJournal } from './journal.js';
import { readKmsg } from './kmsg.js';

export const AUDIT_SOURCES = ['auto', 'journal', 'kmsg', 'auditd', 'file'] as const;
export type AuditSourceName = (typeof AUDIT_SOURCES)[number];
export type ConcreteSource = Exclude<AuditSourceName, 'auto'>;

export interface AuditSourceOptions {
  readonly source: AuditSourceName;
  readonly window: TimeWindow;
  /** Paths for `file` (`-` is stdin). */
  readonly files?: readonly string[] | undefined;
  readonly stdin?: Readable | undefined;
  readonly journalDir?: string | undefined;
  readonly journalFiles?: readonly string[] | undefined;
  readonly machine?: string | undefined;
  readonly auditLogs?: readonly string[] | undefined;
  readonly kmsgDevice?: string | undefined;
}

export interface SourceRead {
  readonly source: ConcreteSource;
  /** Human-readable: which source, which files or device. */
  readonly description: string;
  readonly collection: Collection;
  /** Entries journalctl printed (journal only): 0 means no journal here, and lets `auto` fall back. */
  readonly entries?: number;
}

export async function readAuditSource(opts: AuditSourceOptions): Promise<SourceRead> {
  if (opts.source !== 'auto') return readOne(opts.source, opts);
  if (opts.files?.length) return readOne('file', opts);
  if (opts.auditLogs?.length) return readOne('auditd', opts);
  const explicitJournal = opts.journalDir !== undefined || opts.journalFiles?.length || opts.machine !== undefined;
  const tried: string[] = [];
  try {
    const journal = await readOne('journal', opts);
    if ((journal.entries ?? 0) > 0 || explicitJournal) return journal;
    tried.push('journal: no entries');
  } catch (error) {
    if (explicitJournal || !(error instanceof ToolError)) throw error;
    tried.push(`journal: ${error.message}`);
  }
  const fallback = isReadable(DEFAULT_AUDIT_LOG) ? 'auditd' : 'kmsg';
  if (fallback === 'kmsg') tried.push(`auditd: ${DEFAULT_AUDIT_LOG} not readable`);
  const read = await readOne(fallback, opts);
  return { ...read, description: `${read.description}; tried ${tried.join('; ')}` };
}

async function readOne(source: ConcreteSource, opts: AuditSourceOptions): Promise<SourceRead> {
  const collector = createCollector(opts.window);
  const visitAt = (origin: string): ScanVisitor => (item, line) => collector.add(item, () => `${origin}:${line}`);
  let description: string;
  let entries: number | undefined;
  switch (source) {
    case 'journal':
      ({ description, entries } = await readJournal(
        { window: opts.window, directory: opts.journalDir, files: opts.journalFiles, machine: opts.machine },
        visitAt('journal entry'),
      ));
      break;
    case 'kmsg':
      ({ description } = await readKmsg({ device: opts.kmsgDevice }, visitAt('kmsg record')));
      break;
    case 'auditd':
      ({ description } = await readAuditd(opts.auditLogs, visitAt));
      break;
    case 'file':
      ({ description } = await readFiles(opts.files ?? [], opts.stdin ?? process.stdin, visitAt));
      break;
    default:
      return assertNever(source);
  }
  return { source, description, collection: collector.finish(), ...(entries === undefined ? {} : { entries }) };
}
