// The OCI runtime-spec `linux.seccomp` schema (schema/config-linux.json, defs-linux.json), as a checker:
// returns every violation as `path: problem`, empty when valid.
const ACTIONS = ['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY'];
const ARCHES = ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64'];
const OPS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
const FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'];
const TOP = ['defaultAction', 'defaultErrnoRet', 'flags', 'listenerPath', 'listenerMetadata', 'architectures', 'syscalls'];
const SYSCALL = ['names', 'action', 'errnoRet', 'args'];
const ARG = ['index', 'value', 'valueTwo', 'op'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUint = (v: unknown, max = Number.MAX_SAFE_INTEGER) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

export function validateOciSeccomp(doc: unknown): string[] {
  const errors: string[] = [];
  const err = (path: string, what: string) => errors.push(`${path}: ${what}`);
  const known = (o: Record<string, unknown>, keys: readonly string[], path: string) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) err(`${path}.${k}`, 'not a field of the schema');
  };
  if (!isObject(doc)) return ['$: not an object'];
  known(doc, TOP, '$');
  if (!ACTIONS.includes(doc.defaultAction as string)) err('$.defaultAction', `not one of the actions: ${String(doc.defaultAction)}`);
  if ('defaultErrnoRet' in doc && !isUint(doc.defaultErrnoRet, 0xffffffff)) err('$.defaultErrnoRet', 'not a uint32');
  if ('architectures' in doc) {
    if (!Array.isArray(doc.architectures)) err('$.architectures', 'not an array');
    else doc.architectures.forEach((a, i) => ARCHES.includes(a as string) || err(`$.architectures[${i}]`, `unknown arch ${String(a)}`));
  }
  if ('flags' in doc && !(Array.isArray(doc.flags) && doc.flags.every((f) => FLAGS.includes(f as string)))) err('$.flags', 'bad flags');
  if ('syscalls' in doc) {
    if (!Array.isArray(doc.syscalls)) err('$.syscalls', 'not an array');
    else doc.syscalls.forEach((s, i) => checkSyscall(s, `$.syscalls[${i}]`, known, err));
  }
  return errors;
}

function checkSyscall(s: unknown, path: string, known: (o: Record<string, unknown>, k: readonly string[], p: string) => void, err: (p: string, w: string) => void): void {
  if (!isObject(s)) return err(path, 'not an object');
  known(s, SYSCALL, path);
  if (!Array.isArray(s.names) || s.names.length === 0 || !s.names.every((n) => typeof n === 'string' && n !== '')) err(`${path}.names`, 'must be a non-empty array of names');
  if (!ACTIONS.includes(s.action as string)) err(`${path}.action`, `not one of the actions: ${String(s.action)}`);
  if ('errnoRet' in s && !isUint(s.errnoRet, 0xffffffff)) err(`${path}.errnoRet`, 'not a uint32');
  if (!('args' in s)) return;
  if (!Array.isArray(s.args)) return err(`${path}.args`, 'not an array');
  s.args.forEach((a, j) => {
    const p = `${path}.args[${j}]`;
    if (!isObject(a)) return err(p, 'not an object');
    known(a, ARG, p);
    if (!isUint(a.index, 5)) err(`${p}.index`, 'must be 0..5');
    if (!isUint(a.value, Number.MAX_VALUE)) err(`${p}.value`, 'must be a uint64');
    if ('valueTwo' in a && !isUint(a.valueTwo, Number.MAX_VALUE)) err(`${p}.valueTwo`, 'must be a uint64');
    if (!OPS.includes(a.op as string)) err(`${p}.op`, `not one of the operators: ${String(a.op)}`);
  });
}
