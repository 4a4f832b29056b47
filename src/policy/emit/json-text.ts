// Deterministic JSON with bigints: as exact number literals (OCI's uint64 fields, read by Go) or as decimal
// strings (our own model, so that JavaScript readers never lose precision).
const MARK = '#u64#';

export function jsonText(value: unknown, bigints: 'number' | 'string'): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? (bigints === 'string' ? v.toString() : `${MARK}${v}`) : v), 2);
  return `${bigints === 'number' ? text.replace(new RegExp(`"${MARK}(\\d+)"`, 'g'), '$1') : text}\n`;
}
