// SPDX-License-Identifier: MIT
// The kernel half of `learn --recorder ebpf`: counts the syscalls of one process tree in maps, keyed by
// program (the executable's device and inode), arch, number and the argument values a policy may
// constrain. Nothing is sent per call, so nothing can be lost to a full buffer; a map that is full counts a
// drop instead, and the run is then reported incomplete.
//
// The tree: a task is tracked when it is the gated child making its first execve (target_tid), when its
// cgroup, mount namespace or thread group is the one asked for (containers, --attach), or when a tracked task
// forks it. What marks a task tracked is its entry in task storage (`tracked`), which lives and dies with the
// task_struct: every syscall of every process on the machine runs on_sys_enter, and for a task that is not
// recorded the answer costs one pointer check instead of a hash lookup. A non-leader thread that execs keeps its
// task_struct (and so its entry) while taking over the leader's tid.
//
// Counting: a call whose arguments are not captured (most of them) adds 1 to a per-CPU array cell indexed by
// the program's slot (a small number given to each executable at exec), the arch and the number: the verifier
// inlines that lookup, and no two CPUs share a cache line. Calls with captured values, numbers past FAST_NRS and
// programs past the last slot are counted in the `counts` hash, keyed by everything. The loader sums both.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define TS_COMPAT 0x0002          /* arch/x86/include/asm/thread_info.h: an ia32 syscall is running */
#define NR_EXECVE 59              /* x86_64: how the gated child starts the program */
#include "recorder.h"

/* Set by the loader. */
volatile __u32 target_tid;       /* the gated child: tracked from its first execve */
volatile __u64 target_cgroup;    /* nonzero: track every task of this cgroup (v2 id) */
volatile __u32 target_mntns;     /* nonzero: track every task in this mount namespace */
volatile __u32 target_tgid;      /* nonzero: track every thread of this process (--attach) */
const volatile __u32 nslots;     /* slots the fast array has room for (<= MAX_SLOTS) */
/* bit arch * SPEC_NRS + nr: the call has an argspec (a few hot lines, where `argspecs` is 24 kB) */
const volatile __u64 captured[3 * SPEC_NRS / 64];
/* Read by the loader. */
__u64 drops;                     /* map updates that found the map full */
__s64 live;                      /* tracked tasks not yet exited */
__u32 next_slot;                 /* slot 0: the program before its first exec (0:0), given by the loader */
struct prog_key slot_prog[MAX_SLOTS];

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_val);
} tracked SEC(".maps");

/* One element per slot (the loader sets max_entries to nslots): calls by arch * FAST_NRS + nr. Few large
 * elements, as every element of a per-CPU array is a per-CPU allocation of its own, made at load. */
struct slot_counts {
	__u64 calls[3 * FAST_NRS];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slot_counts);
} fast SEC(".maps");

struct cache_ways {
	struct cached way[CACHE_WAYS];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cache_ways);
} cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct count_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct proc_val);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct prog_key);
	__type(value, struct prog_val);
} progs SEC(".maps");

/* program → its slot in `fast` (NO_SLOT once they are all taken) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct prog_key);
	__type(value, __u32);
} prog_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3 * SPEC_NRS);
	__type(key, __u32);
	__type(value, struct argspec);
} argspecs SEC(".maps");

/* Scratch for a program path (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prog_val);
} scratch SEC(".maps");

static __always_inline void drop(void)
{
	__sync_fetch_and_add(&drops, 1);
}

/* The program's slot, given on first sight. A program met when every slot is taken is counted in `counts`. */
static __always_inline __u32 slot_of(__u64 ino, __u32 dev)
{
	struct prog_key pk = { .ino = ino, .dev = dev };
	__u32 *found = bpf_map_lookup_elem(&prog_slots, &pk);
	if (found)
		return *found;
	__u32 slot = __sync_fetch_and_add(&next_slot, 1);
	if (slot >= nslots || slot >= MAX_SLOTS)
		slot = NO_SLOT;
	else
		slot_prog[slot] = pk;   /* before any task counts in it */
	if (bpf_map_update_elem(&prog_slots, &pk, &slot, BPF_NOEXIST) != 0) {
		/* another CPU gave it one first (this slot stays empty), or the map is full */
		found = bpf_map_lookup_elem(&prog_slots, &pk);
		return found ? *found : NO_SLOT;
	}
	return slot;
}

/* Marks `task` tracked (it is not yet) and adds its process row. */
static __always_inline struct task_val *track(struct task_struct *task, struct task_val *tv, __u32 ppid, __u32 flags)
{
	struct task_val *stored = bpf_task_storage_get(&tracked, task, tv, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!stored) {
		drop();
		return NULL;
	}
	__sync_fetch_and_add(&live, 1);
	__u32 tid = task->pid;
	struct proc_val pv = { .ppid = ppid, .tgid = task->tgid, .ino = tv->ino, .dev = tv->dev, .flags = flags };
	if (bpf_map_update_elem(&procs, &tid, &pv, BPF_ANY) != 0)
		drop();
	return stored;
}

/* A task met for the first time: the gated child's execve, or a task of the cgroup, mount namespace or
 * process being recorded. Runs only while one of the targets is set. */
static __always_inline struct task_val *first_call(struct task_struct *task, long id)
{
	__u32 tid = task->pid;
	if (tid == target_tid && id == NR_EXECVE) {
		struct task_val root = { .slot = nslots > 0 ? 0 : NO_SLOT };
		target_tid = 0;
		return track(task, &root, 0, 0);
	}
	bool match = false;
	if (target_tgid != 0 && task->tgid == target_tgid)
		match = true;
	if (target_cgroup != 0 && bpf_get_current_cgroup_id() == target_cgroup)
		match = true;
	if (target_mntns != 0 && BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum) == target_mntns)
		match = true;
	if (!match)
		return NULL;
	struct task_val tv = {};
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	if (exe) {
		tv.ino = BPF_CORE_READ(exe, f_inode, i_ino);
		tv.dev = BPF_CORE_READ(exe, f_inode, i_sb, s_dev);
	}
	tv.slot = slot_of(tv.ino, tv.dev);
	__u32 tgid = task->tgid;
	return track(task, &tv, BPF_CORE_READ(task, real_parent, pid), tgid == tid ? 0 : PROC_THREAD);
}
static __always_inline __u64 reg_arg(struct pt_regs *regs, bool compat, __u32 i)
{
	if (compat) {
		switch (i) {
		case 0: return (__u32)regs->bx;
		case 1: return (__u32)regs->cx;
		case 2: return (__u32)regs->dx;
		case 3: return (__u32)regs->si;
		case 4: return (__u32)regs->di;
		default: return (__u32)regs->bp;
		}
	}
	switch (i) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	default: return regs->r9;
	}
}

static __always_inline void capture(struct count_key *key, struct pt_regs *regs, bool compat, struct argspec *spec)
{
	switch (spec->mode) {
	case CAPTURE_REGS:
		for (__u32 i = 0; i < 3; i++) {
			if (i >= spec->count)
				break;
			__u64 v = reg_arg(regs, compat, spec->pos[i]);
			key->val[i] = (spec->narrow >> i) & 1 ? (__u32)v : v;
		}
		break;
	case CAPTURE_STRUCT0: {
		__u64 flags = 0;
		if (bpf_probe_read_user(&flags, sizeof(flags), (void *)reg_arg(regs, compat, 0)) != 0)
			key->missing = 1;
		key->val[0] = flags;
		break;
	}
	case CAPTURE_SOCKETCALL: {
		__u32 call = reg_arg(regs, compat, 0);
		key->sub = call;
		if (call == 1 /* SYS_SOCKET */ || call == 8 /* SYS_SOCKETPAIR */) {
			__u32 a[3] = {};
			if (bpf_probe_read_user(a, sizeof(a), (void *)reg_arg(regs, compat, 1)) != 0)
				key->missing = 7;
			key->val[0] = a[0];
			key->val[1] = a[1];
			key->val[2] = a[2];
		}
		break;
	}
	case CAPTURE_OLD_MMAP: {
		__u32 prot = 0;   /* struct mmap_arg_struct { addr, len, prot, flags, fd, offset }, u32 each */
		if (bpf_probe_read_user(&prot, sizeof(prot), (void *)(reg_arg(regs, compat, 0) + 8)) != 0)
			key->missing = 1;
		key->val[0] = prot;
		break;
	}
	}
}

/* A call with captured values, counted in this CPU's cache when its way is free or holds this key. */
static __always_inline bool count_cached(struct count_key *key, __u32 slot)
{
	__u64 h = ((__u64)slot << 32 | key->nr << 8 | key->arch << 7 | key->sub) * 0x9e3779b97f4a7c15ull;
	h ^= key->val[0] * 0xc2b2ae3d27d4eb4full ^ key->val[1] * 0x165667b19e3779f9ull ^ key->val[2] ^ key->missing;
	__u32 zero = 0;
	struct cache_ways *ways = bpf_map_lookup_elem(&cache, &zero);
	if (!ways)
		return false;
	struct cached *c = &ways->way[(h >> 56) & (CACHE_WAYS - 1)];
	if (c->state == CACHE_READY) {
		if (c->slot != slot || c->nr != key->nr || c->arch != key->arch || c->sub != key->sub || c->missing != key->missing ||
		    c->val[0] != key->val[0] || c->val[1] != key->val[1] || c->val[2] != key->val[2])
			return false;
		__sync_fetch_and_add(&c->n, 1);
		return true;
	}
	/* another task on this CPU may be filling it (a preemptible kernel): the loser counts in the hash */
	if (c->state != CACHE_FREE || __sync_val_compare_and_swap(&c->state, CACHE_FREE, CACHE_FILLING) != CACHE_FREE)
		return false;
	c->slot = slot;
	c->nr = key->nr;
	c->arch = key->arch;
	c->sub = key->sub;
	c->missing = key->missing;
	c->val[0] = key->val[0];
	c->val[1] = key->val[1];
	c->val[2] = key->val[2];
	c->n = 1;
	__sync_lock_test_and_set(&c->state, CACHE_READY);   /* published after the key (x86 keeps store order) */
	return true;
}

/* The slow path: one call counted under its whole key, in the cache or the `counts` hash. */
static __noinline int count_keyed(struct task_val *tv, struct pt_regs *regs, long id, bool compat, struct argspec *spec)
{
	struct count_key key = { .ino = tv->ino, .dev = tv->dev, .nr = (__u32)id, .arch = compat ? ARCH_I386 : ARCH_X86_64 };
	if (spec)
		capture(&key, regs, compat, spec);
	if (tv->slot != NO_SLOT && count_cached(&key, tv->slot))
		return 0;
	__u64 *n = bpf_map_lookup_elem(&counts, &key);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return 0;
	}
	__u64 one = 1;
	if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST) != 0) {
		n = bpf_map_lookup_elem(&counts, &key);   /* another CPU inserted it first */
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			drop();
	}
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_val *tv = NULL;
	/* a task with no local storage at all (nearly every task not recorded) is not ours: no helper call */
	if (!bpf_core_field_exists(task->bpf_storage) || task->bpf_storage)
		tv = bpf_task_storage_get(&tracked, task, NULL, 0);
	if (!tv) {
		if (target_tid == 0 && target_tgid == 0 && target_cgroup == 0 && target_mntns == 0)
			return 0;
		tv = first_call(task, id);
		if (!tv)
			return 0;
	}
	bool compat = false;
	if (bpf_core_field_exists(task->thread_info.status))
		compat = (task->thread_info.status & TS_COMPAT) != 0;
	__u32 nr = (__u32)id & ~X32_SYSCALL_BIT;
	if (id < 0 || nr >= SPEC_NRS)
		return count_keyed(tv, regs, id, compat, NULL);
	__u32 arch = compat ? ARCH_I386 : ((__u32)id & X32_SYSCALL_BIT) ? ARCH_X32 : ARCH_X86_64;
	__u32 spec_index = arch * SPEC_NRS + nr;
	if (spec_index < 3 * SPEC_NRS && (captured[spec_index / 64] >> (spec_index % 64)) & 1) {
		struct argspec *spec = bpf_map_lookup_elem(&argspecs, &spec_index);
		return count_keyed(tv, regs, id, compat, spec && spec->mode != CAPTURE_NONE ? spec : NULL);
	}
	if (nr >= FAST_NRS || tv->slot == NO_SLOT)
		return count_keyed(tv, regs, id, compat, NULL);
	struct slot_counts *sc = bpf_map_lookup_elem(&fast, &tv->slot);
	__u32 cell = arch * FAST_NRS + nr;
	if (!sc || cell >= 3 * FAST_NRS)   /* a slot past the array's end: cannot happen, slots stop at nslots */
		return count_keyed(tv, regs, id, compat, NULL);
	__sync_fetch_and_add(&sc->calls[cell], 1);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_val *tv = bpf_task_storage_get(&tracked, parent, NULL, 0);
	if (!tv)
		return 0;
	struct task_val copy = *tv;
	track(child, &copy, parent->pid, child->tgid == parent->tgid ? PROC_THREAD : 0);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_val *tv = bpf_task_storage_get(&tracked, p, NULL, 0);
	if (!tv)
		return 0;
	__u32 old = old_pid, tid = p->pid;
	struct inode *inode = bprm->file->f_inode;
	tv->ino = inode->i_ino;
	tv->dev = inode->i_sb->s_dev;
	tv->slot = slot_of(tv->ino, tv->dev);
	if (old != tid) {
		/* a non-leader thread exec'd: it now runs as the leader, whose own exit was already seen */
		struct proc_val *gone = bpf_map_lookup_elem(&procs, &old);
		if (gone)
			gone->flags |= PROC_GONE;
		struct proc_val leader = { .tgid = tid };
		bpf_map_update_elem(&procs, &tid, &leader, BPF_NOEXIST);   /* normally there already */
	}
	struct proc_val *pv = bpf_map_lookup_elem(&procs, &tid);
	if (pv) {
		pv->ino = tv->ino;
		pv->dev = tv->dev;
		pv->flags = (pv->flags & ~(PROC_THREAD | PROC_GONE)) | PROC_EXECED;
	}
	struct prog_key pk = { .ino = tv->ino, .dev = tv->dev };
	if (bpf_map_lookup_elem(&progs, &pk))
		return 0;
	__u32 zero = 0;
	struct prog_val *path = bpf_map_lookup_elem(&scratch, &zero);
	if (!path)
		return 0;
	bpf_probe_read_kernel_str(path->path, sizeof(path->path), bprm->filename);
	if (bpf_map_update_elem(&progs, &pk, path, BPF_NOEXIST) != 0 && !bpf_map_lookup_elem(&progs, &pk))
		drop();
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	if (!bpf_task_storage_get(&tracked, p, NULL, 0))
		return 0;
	bpf_task_storage_delete(&tracked, p);
	__sync_fetch_and_add(&live, -1);
	__u32 tid = p->pid;
	struct proc_val *pv = bpf_map_lookup_elem(&procs, &tid);
	if (pv)
		pv->flags |= PROC_GONE;
	return 0;
}
