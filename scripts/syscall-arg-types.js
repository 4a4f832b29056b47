// C parameter type → what the kernel reads of the register: signedness and bits. The syscall wrappers
// cast each register (a long) to the declared type, so an `int` sees the low 32 bits and a `umode_t` the
// low 16, whatever the high bits hold. An i386 task's registers are 32-bit and zero-extended: a 64-bit
// type there is those 32 bits, unsigned.

const SIGNED_32 = ['int', 'pid_t', 'clockid_t', 'timer_t', 'mqd_t', 'key_t', 'key_serial_t', 'rwf_t', '__s32', 's32',
  'compat_int_t', 'compat_long_t', 'compat_pid_t', 'compat_off_t', 'compat_ssize_t', 'compat_clock_t'];
const UNSIGNED_32 = ['unsigned int', 'unsigned', 'u32', '__u32', 'uid_t', 'gid_t', 'qid_t', 'enum landlock_rule_type',
  'compat_uint_t', 'compat_ulong_t', 'compat_size_t', 'compat_uptr_t', 'compat_aio_context_t'];
// old_uid_t/old_gid_t: the 16-bit ids of the i386 *16 calls; compat_mode_t is u16 on x86.
const UNSIGNED_16 = ['umode_t', 'old_uid_t', 'old_gid_t', 'compat_mode_t', 'u16', '__u16', 'unsigned short'];
const SIGNED_64 = ['long', 'loff_t', 'off_t', 'ssize_t', 's64', '__s64', 'long long'];
const UNSIGNED_64 = ['unsigned long', 'size_t', 'aio_context_t', 'u64', '__u64', 'unsigned long long', 'old_sigset_t',
  'cap_user_header_t', 'cap_user_data_t', '__sighandler_t'];

const TYPES = new Map([
  ...SIGNED_32.map((t) => [t, 'i32']), ...UNSIGNED_32.map((t) => [t, 'u32']), ...UNSIGNED_16.map((t) => [t, 'u16']),
  ...SIGNED_64.map((t) => [t, 'i64']), ...UNSIGNED_64.map((t) => [t, 'u64']),
]);

/** One code per parameter (`i32`, `u16`, `u64`, ...) for `arch`; throws on a type it does not know. */
export function argTypeCodes(arch, types, where) {
  return types.map((t) => {
    const code = t.includes('*') ? 'u64' : TYPES.get(t);
    if (code === undefined) throw new Error(`${where}: unknown parameter type "${t}" (add it to scripts/syscall-arg-types.js)`);
    if (arch === 'i386' && code.endsWith('64')) return 'u32';
    return code;
  });
}
