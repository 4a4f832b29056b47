// SPDX-License-Identifier: MIT
// What the two halves of the eBPF recorder share: the layout of every map key and value the loader
// (helper.c) writes or reads and the kernel program (recorder.bpf.c) fills, and the sizes both index by.
// One definition, so the two can never disagree on a field. Includes nothing: each side has its __u* types
// (vmlinux.h in the kernel program, linux/types.h through libbpf in the helper) before it includes this.
#ifndef LEARN_RECORDER_H
#define LEARN_RECORDER_H

#define X32_SYSCALL_BIT 0x40000000
#define ARCH_X86_64 0
#define ARCH_I386 1
#define ARCH_X32 2                /* argspec and fast counts only: counts keep arch 0 and the x32 bit in nr */
#define SPEC_NRS 1024
#define FAST_NRS 512              /* numbers counted in the per-CPU array (per slot: 3 archs × FAST_NRS) */
#define MAX_SLOTS 256             /* bound of slot_prog; the loader sizes the array for `nslots` <= this */
#define NO_SLOT 0xffffffffu       /* a program past the last slot: its calls are counted in `counts` */
#define CACHE_WAYS 256            /* per CPU: captured calls of slotted programs, direct-mapped */

/* How the values of a call are captured (set per arch and number by the loader from learn's tables). */
enum capture_mode {
	CAPTURE_NONE = 0,
	CAPTURE_REGS = 1,      /* the arguments at pos[] */
	CAPTURE_STRUCT0 = 2,   /* a u64 at offset 0 of the struct arg 0 points to (clone3's flags) */
	CAPTURE_SOCKETCALL = 3,/* i386 socketcall(call, args*): the call, and for socket/socketpair its u32 args */
	CAPTURE_OLD_MMAP = 4,  /* i386 old mmap(struct*): prot, the third u32 */
};

struct argspec {
	__u8 mode;
	__u8 count;    /* values captured */
	__u8 pos[3];
	__u8 narrow;   /* bit i: value i is a 32-bit argument (the kernel reads the low word only) */
	__u8 pad[2];
};

struct count_key {
	__u64 ino;     /* program: inode and device of the executable (0 before the first exec) */
	__u32 dev;
	__u32 nr;      /* as the kernel saw it: x32 calls keep X32_SYSCALL_BIT */
	__u16 arch;    /* ARCH_X86_64 or ARCH_I386 */
	__u8 sub;      /* i386 socketcall: the call number */
	__u8 missing;  /* bit i: value i could not be read from user memory */
	__u32 pad;
	__u64 val[3];
};

/* A captured call's key and count in the per-CPU cache. Filled once (FREE → FILLING → READY by whoever
 * wins the compare-and-swap), then only its count changes: the loader never sees a count move. */
struct cached {
	__u32 state;
	__u32 slot;
	__u32 nr;
	__u16 arch;
	__u8 sub;
	__u8 missing;
	__u64 val[3];
	__u64 n;
};
#define CACHE_FREE 0
#define CACHE_FILLING 1
#define CACHE_READY 2

/* A tracked task: the program it runs and that program's slot. */
struct task_val {
	__u64 ino;
	__u32 dev;
	__u32 slot;
};

/* One row per process or thread seen: what learn stores in its processes table. */
struct proc_val {
	__u32 ppid;    /* the tid that created it (0 for a root) */
	__u32 tgid;
	__u64 ino;     /* program after its last exec */
	__u32 dev;
	__u32 flags;   /* PROC_THREAD, PROC_EXECED, PROC_GONE */
};
#define PROC_THREAD 1
#define PROC_EXECED 2
#define PROC_GONE 4    /* exited: the loader must not signal this tid (it may be another process's by now) */

struct prog_val {
	char path[256];   /* the path as given to execve (first seen for this program) */
};
struct prog_key {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

#endif
