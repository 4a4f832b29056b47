// A Security Profiles Operator SeccompProfile (YAML or JSON, as `learn --format k8s` writes it or kubectl
// prints it) → the OCI seccomp JSON its spec stands for, so readers of OCI profiles take it too. SPO's spec
// is the OCI section minus defaultErrnoRet, with errnoRet as a string.
import { parseAllDocuments } from 'yaml';
import { InputError } from '../errors.js';
import { jsonText } from './emit/json-text.js';

const KIND = 'SeccompProfile';
const GROUP = 'security-profiles-operator.x-k8s.io/';

/** True when the text holds a SeccompProfile resource (cheap test before parsing). */
export function looksLikeSeccompProfile(text: string): boolean {
  return /["']?kind["']?\s*:\s*["']?SeccompProfile\b/.test(text);
}

/** The OCI JSON text of the first SeccompProfile in `text`. */
export function seccompProfileToOci(text: string, file: string): string {
  const docs = parseAllDocuments(text, { intAsBigInt: true });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const [line, col] = e.linePos?.[0] === undefined ? [1, 1] : [e.linePos[0].line, e.linePos[0].col];
      throw new InputError({ file, line, col }, `not valid YAML: ${e.message.split('\n')[0]}`);
    }
    const value = doc.toJS() as Record<string, unknown> | null;
    if (value === null || typeof value !== 'object' || value.kind !== KIND) continue;
    const at = placeOf(text, file, 'spec');
    if (typeof value.apiVersion !== 'string' || !value.apiVersion.startsWith(GROUP)) {
      throw new InputError(placeOf(text, file, 'apiVersion'), `a SeccompProfile of apiVersion ${GROUP}v1beta1 expected, got ${String(value.apiVersion)}`);
    }
    const spec = value.spec;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new InputError(at, 'the SeccompProfile has no spec');
    return jsonText(toOci(spec as Record<string, unknown>), 'number');
  }
  throw new InputError({ file, line: 1, col: 1 }, `no ${KIND} resource in the file`);
}

/** errnoRet "1" → 1; baseProfileName is refused (the base lives in the cluster, not in this file). */
function toOci(spec: Record<string, unknown>): Record<string, unknown> {
  const { baseProfileName, ...rest } = spec;
  if (baseProfileName !== undefined) throw new InputError({ file: '', line: 1, col: 1 }, `baseProfileName '${String(baseProfileName)}' is not supported: merge the base profile first`);
  const syscalls = Array.isArray(rest.syscalls) ? rest.syscalls.map((s: unknown) => {
    if (s === null || typeof s !== 'object') return s;
    const entry = s as Record<string, unknown>;
    return typeof entry.errnoRet === 'string' && /^\d+$/.test(entry.errnoRet) ? { ...entry, errnoRet: Number(entry.errnoRet) } : entry;
  }) : rest.syscalls;
  return { ...rest, ...(syscalls === undefined ? {} : { syscalls }) };
}

function placeOf(text: string, file: string, key: string): { file: string; line: number; col: number } {
  const at = text.search(new RegExp(`^\\s*["']?${key}["']?\\s*:`, 'm'));
  if (at < 0) return { file, line: 1, col: 1 };
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { file, line, col: at - before.lastIndexOf('\n') };
}
