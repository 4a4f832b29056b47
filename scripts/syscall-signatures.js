// The C parameter types of every syscall of every supported arch, read from a kernel source tree: the
// `SYSCALL_DEFINEn` / `COMPAT_SYSCALL_DEFINEn` definitions, reached through each arch's syscall table
// (x86 *.tbl files; the generic unistd.h for aarch64), so a syscall gets the entry point its arch really
// calls (i386 on a 64-bit kernel: the compat one where there is one). Used by gen-syscalls.js.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** Syscalls added after the 6.1 source the data is read from (signatures copied from later kernels). */
export const LATER_SIGNATURES = {
  cachestat: 'sys_cachestat(unsigned int, struct cachestat_range __user *, struct cachestat __user *, unsigned int)',
  fchmodat2: 'sys_fchmodat2(int, const char __user *, umode_t, unsigned int)',
  map_shadow_stack: 'sys_map_shadow_stack(unsigned long, unsigned long, unsigned int)',
  futex_wake: 'sys_futex_wake(void __user *, unsigned long, int, unsigned int)',
  futex_wait: 'sys_futex_wait(void __user *, unsigned long, unsigned long, unsigned int, struct __kernel_timespec __user *, clockid_t)',
  futex_requeue: 'sys_futex_requeue(struct futex_waitv __user *, unsigned int, int, int)',
  statmount: 'sys_statmount(const struct mnt_id_req __user *, struct statmount __user *, size_t, unsigned int)',
  listmount: 'sys_listmount(const struct mnt_id_req __user *, u64 __user *, size_t, unsigned int)',
  lsm_get_self_attr: 'sys_lsm_get_self_attr(unsigned int, struct lsm_ctx __user *, u32 __user *, u32)',
  lsm_set_self_attr: 'sys_lsm_set_self_attr(unsigned int, struct lsm_ctx __user *, u32, u32)',
  lsm_list_modules: 'sys_lsm_list_modules(u64 __user *, u32 __user *, u32)',
  mseal: 'sys_mseal(unsigned long, size_t, unsigned long)',
  setxattrat: 'sys_setxattrat(int, const char __user *, unsigned int, const char __user *, const struct xattr_args __user *, size_t)',
  getxattrat: 'sys_getxattrat(int, const char __user *, unsigned int, const char __user *, struct xattr_args __user *, size_t)',
  listxattrat: 'sys_listxattrat(int, const char __user *, unsigned int, char __user *, size_t)',
  removexattrat: 'sys_removexattrat(int, const char __user *, unsigned int, const char __user *)',
  open_tree_attr: 'sys_open_tree_attr(int, const char __user *, unsigned, struct mount_attr __user *, size_t)',
};

const ARCH_DIR = { x86_64: 'arch/x86', i386: 'arch/x86', aarch64: 'arch/arm64' };
// Directories whose .c files hold syscall definitions for every arch.
const GENERIC_DIRS = ['block', 'drivers/char', 'fs', 'io_uring', 'ipc', 'kernel', 'mm', 'net', 'security'];

function* cFiles(root, dir) {
  const full = join(root, dir);
  if (!existsSync(full)) return;
  for (const e of readdirSync(full, { withFileTypes: true })) {
    if (e.isDirectory()) yield* cFiles(root, join(dir, e.name));
    else if (e.name.endsWith('.c')) yield join(dir, e.name);
  }
}

/** The text between the `(` at `open` and its matching `)`. */
function parenBody(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return null;
}

/** Splits at top-level commas. */
function splitTop(text) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  // a top-level `const` changes nothing the caller sees (`const clockid_t` in one variant, not the other)
  return parts.map((p) => p.replace(/\s+/g, ' ').trim().replace(/^const (?!.*\*)/, ''));
}

// SYSCALL32_DEFINE is the compat definition on a kernel with CONFIG_COMPAT.
const DEFINE = /\b(COMPAT_SYSCALL_|SYSCALL32_|SYSCALL_)DEFINE([0-6])\(/g;

/** Every definition in the tree: symbol (`sys_x`, `compat_sys_x`) → [{file, types}]. */
function definitions(root, dirs) {
  const defs = new Map();
  for (const dir of dirs) {
    for (const file of cFiles(root, dir)) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const m of text.matchAll(DEFINE)) {
        // only at the start of a line: skips mentions in comments and macro bodies
        const lineStart = text.lastIndexOf('\n', m.index) + 1;
        if (text.slice(lineStart, m.index).trim() !== '') continue;
        const body = parenBody(text, m.index + m[0].length - 1);
        if (body === null) continue;
        const [name, ...rest] = splitTop(body);
        const n = Number(m[2]);
        // `type, name` pairs; compat_arg_u64_dual(x) and SC_ARG64(x) stand for two u32 pairs (low word first on little-endian)
        const flat = rest.flatMap((p) => {
          const dual = /^(?:compat_arg_u64_dual|SC_ARG64)\((\w+)\)$/.exec(p);
          return dual ? ['u32', `${dual[1]}_lo`, 'u32', `${dual[1]}_hi`] : [p];
        });
        const types = [];
        for (let i = 0; i + 1 < flat.length; i += 2) types.push(flat[i]);
        // another macro spelling of split arguments (arm64's aarch32 `arg_u32p`): not an entry we use
        if (types.length !== n) continue;
        const symbol = `${m[1] === 'SYSCALL_' ? 'sys_' : 'compat_sys_'}${name}`;
        if (!defs.has(symbol)) defs.set(symbol, []);
        defs.get(symbol).push({ file: relative(root, join(root, file)), types });
      }
    }
  }
  return defs;
}

/** x86 tables: name → entry symbol (the compat one for i386 when it has one). */
function x86Table(root, arch) {
  const file = join(root, 'arch/x86/entry/syscalls', arch === 'i386' ? 'syscall_32.tbl' : 'syscall_64.tbl');
  const map = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#')) continue;
    const [, abi, name, native, compat] = line.trim().split(/\s+/);
    if (name === undefined || native === undefined || abi === 'x32') continue;
    map.set(name, arch === 'i386' && compat !== undefined ? compat : native);
  }
  return map;
}

/** aarch64: the generic table as the arm64 kernel builds it (64-bit, its __ARCH_WANT_ flags): name → symbol. */
function genericTable(root, names) {
  const inc = ['include', 'include/uapi', 'arch/arm64/include/uapi'].map((d) => `-I${join(root, d)}`);
  const want = ['RENAMEAT', 'NEW_STAT', 'SET_GET_RLIMIT', 'SYS_CLONE3', 'MEMFD_SECRET'].map((w) => `-D__ARCH_WANT_${w}`);
  const src = ['#define __SYSCALL(nr, sym) SYSCALL_ENTRY nr sym', '#include <uapi/asm-generic/unistd.h>',
    ...names.map((n) => `SYSCALL_NUMBER ${n} __NR_${n}`)].join('\n');
  const out = execFileSync('gcc', ['-E', '-P', '-nostdinc', ...inc, '-D__BITS_PER_LONG=64', ...want, '-'], { input: src }).toString();
  const symbols = new Map([...out.matchAll(/SYSCALL_ENTRY (\d+) (\w+)/g)].map((m) => [Number(m[1]), m[2]]));
  const map = new Map();
  for (const m of out.matchAll(/SYSCALL_NUMBER (\w+) \(?(\d+)/g)) {
    const symbol = symbols.get(Number(m[2]));
    if (symbol !== undefined) map.set(m[1], symbol);
  }
  // arch/arm64/kernel/sys.c routes personality to its own wrapper
  if (map.get('personality') === 'sys_personality') map.set('personality', 'sys_arm64_personality');
  return map;
}

/**
 * Picks the definition an arch compiles: one in its arch directory first, else a generic one. Generic
 * duplicates sit under #ifdef for other configurations; when their types differ the caller must say which.
 */
function pick(defs, symbol, arch) {
  const all = defs.get(symbol) ?? [];
  const own = all.filter((d) => d.file.startsWith(`${ARCH_DIR[arch]}/`));
  const generic = all.filter((d) => !d.file.startsWith('arch/'));
  const candidates = own.length > 0 ? own : generic;
  const distinct = [...new Set(candidates.map((d) => d.types.join(', ')))];
  return { distinct, file: candidates[0]?.file };
}

// Generic definitions that exist in several #ifdef variants with different parameter types, resolved per
// arch from the kernel configuration (none of our arches selects CLONE_BACKWARDS*; x86_64 and arm64 use
// the 64-bit variants; an i386 task on a 64-bit kernel calls the compat entry, so its row is native-only).
const VARIANT = {
  sys_sigsuspend: 'int, int, old_sigset_t', // x86 selects OLD_SIGSUSPEND3
  sys_clone: 'unsigned long, unsigned long, int __user *, int __user *, unsigned long',
};

// Entries the table still names but the kernel no longer defines (they return ENOSYS).
const NOT_BUILT = new Set(['sys_lookup_dcookie', 'compat_sys_lookup_dcookie']);

/**
 * Calls `fn` with a kernel tree: `source` is one, or a tarball (Debian's /usr/src/linux-source-6.1.tar.xz) of
 * which only the parts read here are extracted into a temporary directory.
 */
export function withKernelTree(source, fn) {
  if (statSync(source).isDirectory()) return fn(source);
  const dir = mkdtempSync(join(tmpdir(), 'gen-syscalls-'));
  try {
    // `*` for the top directory's name, which stops at a slash: one pass over the archive
    const parts = ['Makefile', 'include', 'arch/x86', 'arch/arm64', ...GENERIC_DIRS].map((p) => `*/${p}`);
    execFileSync('tar', ['-xf', source, '-C', dir, '--wildcards', '--no-wildcards-match-slash', ...parts]);
    const [top = ''] = readdirSync(dir);
    return fn(join(dir, top));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Reads a kernel tree: returns { version, rows } with rows [arch, name, signature] for each name of
 * `names[arch]` that the kernel table maps to a definition; names it cannot map are left out.
 */
export function readKernelSignatures(root, names) {
  const mk = readFileSync(join(root, 'Makefile'), 'utf8');
  const v = (k) => new RegExp(`^${k} = (.*)$`, 'm').exec(mk)?.[1]?.trim() ?? '';
  const version = `${v('VERSION')}.${v('PATCHLEVEL')}.${v('SUBLEVEL')}${v('EXTRAVERSION')}`;
  const defs = definitions(root, [...GENERIC_DIRS, 'arch/x86', 'arch/arm64']);
  const rows = [];
  const problems = [];
  for (const arch of ['x86_64', 'i386', 'aarch64']) {
    const table = arch === 'aarch64' ? genericTable(root, names[arch]) : x86Table(root, arch);
    for (const name of names[arch]) {
      const symbol = table.get(name);
      if (symbol === undefined || symbol === 'sys_ni_syscall' || NOT_BUILT.has(symbol)) continue;
      const { distinct } = pick(defs, symbol, arch);
      let types = distinct[0];
      if (distinct.length > 1) {
        types = VARIANT[symbol];
        if (types === undefined || !distinct.includes(types)) problems.push(`${arch} ${name}: ${symbol} has variants ${distinct.join(' | ')}`);
      }
      if (types === undefined) {
        problems.push(`${arch} ${name}: no definition of ${symbol}`);
        continue;
      }
      rows.push([arch, name, `${symbol}(${types})`]);
    }
  }
  if (problems.length > 0) throw new Error(`cannot map every syscall:\n  ${problems.join('\n  ')}`);
  return { version, rows };
}
