// SPDX-License-Identifier: MIT
// learn-ebpf: the loader of `learn --recorder ebpf`. It loads recorder.bpf.c (embedded as a libbpf
// skeleton), starts the program gated on a pipe so that it runs only once every probe is attached, forwards
// learn's signals to it, and when the tree has ended (or learn says stop) writes what the maps hold to the
// report fd as text lines. Its links are plain fds: however it dies, the kernel detaches the probes.
//
//   learn-ebpf --report-fd N [--spec SPEC] [--cgroup ID] [--mntns INO] [--max-counts N] [--slots N]
//              (--attach PID | --exec PATH -- ARGV...)
// --max-counts shrinks the counts map (tests make it overflow to see drops reported); --slots sets how many
// programs are counted in the fast per-CPU array (default DEFAULT_SLOTS, fewer when they would not fit in
// FAST_BUDGET on this many CPUs, at most MAX_SLOTS; 0 counts everything in the hash, as a test does to
// compare the paths).
//
// Report lines: `ready PID`; then every second and at the end a snapshot of the maps (running totals):
// `count ARCH NR SUB MISSING V0 V1 V2 DEV INO N`, `proc TID PPID TGID FLAGS DEV INO`, `prog DEV INO HEXPATH`,
// `drops N`, `snap`; after the last one `exit code N|signal N|detached` and `end`; or `fail MESSAGE`.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL   /* linux/pidfd.h, Linux 6.9: a pidfd for one thread */
#endif
#define TICK_MS 20
#define SNAPSHOT_MS 1000   /* how often the maps are written out: what a learn killed mid-run has kept */
#define DEFAULT_SLOTS 64
#define FAST_BUDGET (16u << 20)   /* bytes of per-CPU counters, all CPUs together */

#include "recorder.h"
#include "recorder.skel.h"   /* after recorder.h: its .bss names struct prog_key */

static FILE *report;
static struct recorder_bpf *skel;
static char libbpf_said[512];

static void fail(const char *fmt, ...)
{
	char text[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (char *c = text; *c; c++)
		if (*c == '\n')
			*c = ' ';
	if (report) {
		fprintf(report, "fail %s\n", text);
		fflush(report);
	} else {
		fprintf(stderr, "learn-ebpf: %s\n", text);
	}
	exit(2);
}

/* libbpf's messages: kept (the last one explains a failed load), not printed over the program's output. */
static int keep_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n > 0)
		snprintf(libbpf_said, sizeof(libbpf_said), "%s", line);
	return 0;
}

/* "A,NR,MODE,COUNT,P0,P1,P2,NARROW;..." from learn's syscall tables: into the argspecs map (after the load),
 * or with map_fd < 0 only marked in the `captured` bitmap (before it). */
static void load_specs(int map_fd, const char *text)
{
	while (*text) {
		unsigned arch, nr, mode, count, p0, p1, p2, narrow;
		int used = 0;
		if (sscanf(text, "%u,%u,%u,%u,%u,%u,%u,%u%n", &arch, &nr, &mode, &count, &p0, &p1, &p2, &narrow, &used) != 8 ||
		    arch > 2 || nr >= SPEC_NRS || count > 3 || p0 > 5 || p1 > 5 || p2 > 5)
			fail("bad --spec near '%.20s'", text);
		struct argspec s = { .mode = mode, .count = count, .pos = { p0, p1, p2 }, .narrow = narrow };
		__u32 key = arch * SPEC_NRS + nr;
		if (map_fd < 0)
			skel->rodata->captured[key / 64] |= mode != 0 ? 1ull << (key % 64) : 0;
		else if (bpf_map_update_elem(map_fd, &key, &s, BPF_ANY) != 0)
			fail("cannot fill the argument table: %s", strerror(errno));
		text += used;
		if (*text == ';')
			text++;
	}
}

/* The kernel's dev_t (MKDEV: major << 20 | minor) for a stat() st_dev, as bprm->file's s_dev holds it. */
static __u32 kernel_dev(dev_t dev)
{
	return (__u32)(major(dev) << 20 | minor(dev));
}

static void put_prog(int map_fd, __u64 ino, __u32 dev, const char *path)
{
	struct prog_key k = { .ino = ino, .dev = dev };
	struct prog_val v = {};
	snprintf(v.path, sizeof(v.path), "%s", path);
	bpf_map_update_elem(map_fd, &k, &v, BPF_NOEXIST);
}

/* The slot of a program, given here before the probes attach (the BPF side gives them from then on). */
static __u32 give_slot(__u64 ino, __u32 dev)
{
	struct prog_key k = { .ino = ino, .dev = dev };
	__u32 slot = skel->bss->next_slot;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.prog_slots), &k, &slot) == 0)
		return slot;
	if (slot < skel->rodata->nslots) {
		skel->bss->next_slot++;
		skel->bss->slot_prog[slot].ino = ino;
		skel->bss->slot_prog[slot].dev = dev;
	} else {
		slot = NO_SLOT;
	}
	bpf_map_update_elem(bpf_map__fd(skel->maps.prog_slots), &k, &slot, BPF_NOEXIST);
	return slot;
}

/* Marks every thread of `pid` tracked, before the probes attach; returns how many. A thread the kernel cannot
 * name by pidfd (PIDFD_THREAD is Linux 6.9) is adopted by the BPF side at its first syscall (target_tgid). */
static int adopt_threads(pid_t pid, struct task_val *tv)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int added = 0;
	for (struct dirent *e; (e = readdir(d));) {
		__u32 tid = (__u32)strtoul(e->d_name, NULL, 10);
		if (tid == 0)
			continue;
		int pidfd = (int)syscall(SYS_pidfd_open, tid, tid == (__u32)pid ? 0 : PIDFD_THREAD);
		if (pidfd < 0)
			continue;
		int ok = bpf_map_update_elem(bpf_map__fd(skel->maps.tracked), &pidfd, tv, BPF_NOEXIST);
		close(pidfd);
		if (ok != 0)
			continue;
		skel->bss->live++;
		struct proc_val pv = { .tgid = pid, .ino = tv->ino, .dev = tv->dev, .flags = tid == (__u32)pid ? 0 : PROC_THREAD };
		bpf_map_update_elem(bpf_map__fd(skel->maps.procs), &tid, &pv, BPF_ANY);
		added++;
	}
	closedir(d);
	return added;
}

/* SIGKILL to every tracked task that has not exited. */
static void kill_tree(void)
{
	int fd = bpf_map__fd(skel->maps.procs);
	__u32 key, next, *prev = NULL;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct proc_val pv;
		if (bpf_map_lookup_elem(fd, &next, &pv) == 0 && !(pv.flags & PROC_GONE))
			kill((pid_t)next, SIGKILL);
		key = next;
		prev = &key;
	}
}

/* A per-CPU array read back: for each cell, its value on every possible CPU in a row (values 8-byte aligned). */
struct percpu_read {
	void *values;
	__u32 *keys;
};

/* The first `count` cells of a per-CPU array, into buffers kept from one snapshot to the next. */
static const void *percpu_cells(struct bpf_map *map, __u32 count, struct percpu_read *r, int ncpus)
{
	size_t size = (bpf_map__value_size(map) + 7) / 8 * 8, cells = bpf_map__max_entries(map);
	if (!r->values && (!(r->values = calloc(cells * ncpus, size)) || !(r->keys = calloc(cells, sizeof(__u32)))))
		fail("out of memory");
	__u32 out = 0, got = count;
	if (count > 0 && bpf_map_lookup_batch(bpf_map__fd(map), NULL, &out, r->keys, r->values, &got, NULL) != 0 && errno != ENOENT)
		fail("cannot read the counts: %s", strerror(errno));
	if (got != count)
		fail("cannot read the counts: %u of %u cells", got, count);
	return r->values;
}

static void count_line(__u32 arch, __u32 nr, __u32 sub, __u32 missing, const __u64 val[3], __u32 slot, __u64 n)
{
	struct prog_key pk = skel->bss->slot_prog[slot % MAX_SLOTS];
	fprintf(report, "count %u %u %u %u %llu %llu %llu %u %llu %llu\n", arch, nr, sub, missing, (unsigned long long)val[0],
		(unsigned long long)val[1], (unsigned long long)val[2], pk.dev, (unsigned long long)pk.ino, (unsigned long long)n);
}

/* The per-CPU counts, summed over CPUs for calls without values, CPU by CPU for the cached ones. */
static void write_percpu_counts(void)
{
	static struct percpu_read fast, cache;
	static const __u64 none[3];
	int ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		fail("cannot count the CPUs: %s", strerror(-ncpus));
	__u32 slots = skel->bss->next_slot < skel->rodata->nslots ? skel->bss->next_slot : skel->rodata->nslots;
	const __u64 *calls = percpu_cells(skel->maps.fast, slots, &fast, ncpus);   /* [slot][cpu][arch * FAST_NRS + nr] */
	for (__u32 slot = 0; slot < slots; slot++)
		for (__u32 cell = 0; cell < 3 * FAST_NRS; cell++) {
			__u64 n = 0;
			for (int c = 0; c < ncpus; c++)
				n += calls[((size_t)slot * ncpus + c) * 3 * FAST_NRS + cell];
			__u32 arch = cell / FAST_NRS, nr = cell % FAST_NRS;
			/* the x32 column: arch x86_64 with the x32 bit, as the kernel numbers those calls */
			if (n > 0)
				count_line(arch == ARCH_X32 ? ARCH_X86_64 : arch, arch == ARCH_X32 ? nr | X32_SYSCALL_BIT : nr, 0, 0, none, slot, n);
		}
	const struct cached *ways = percpu_cells(skel->maps.cache, 1, &cache, ncpus);   /* [cpu][way] */
	for (size_t i = 0; i < (size_t)CACHE_WAYS * ncpus; i++) {
		const struct cached *c = &ways[i];
		if (c->state == CACHE_READY && c->n > 0)
			count_line(c->arch, c->nr, c->sub, c->missing, c->val, c->slot, c->n);
	}
}

static void write_snapshot(void)
{
	write_percpu_counts();
	int fd = bpf_map__fd(skel->maps.counts);
	struct count_key ck, cprev, *cp = NULL;
	while (bpf_map_get_next_key(fd, cp, &ck) == 0) {
		__u64 n;
		if (bpf_map_lookup_elem(fd, &ck, &n) == 0)
			fprintf(report, "count %u %u %u %u %llu %llu %llu %u %llu %llu\n", ck.arch, ck.nr, ck.sub, ck.missing,
				(unsigned long long)ck.val[0], (unsigned long long)ck.val[1], (unsigned long long)ck.val[2],
				ck.dev, (unsigned long long)ck.ino, (unsigned long long)n);
		cprev = ck;
		cp = &cprev;
	}
	fd = bpf_map__fd(skel->maps.procs);
	__u32 tid, tprev, *tp = NULL;
	while (bpf_map_get_next_key(fd, tp, &tid) == 0) {
		struct proc_val pv;
		if (bpf_map_lookup_elem(fd, &tid, &pv) == 0)
			fprintf(report, "proc %u %u %u %u %u %llu\n", tid, pv.ppid, pv.tgid, pv.flags & ~PROC_GONE, pv.dev, (unsigned long long)pv.ino);
		tprev = tid;
		tp = &tprev;
	}
	fd = bpf_map__fd(skel->maps.progs);
	struct prog_key pk, pprev, *pp = NULL;
	while (bpf_map_get_next_key(fd, pp, &pk) == 0) {
		struct prog_val pv;
		if (bpf_map_lookup_elem(fd, &pk, &pv) == 0) {
			fprintf(report, "prog %u %llu ", pk.dev, (unsigned long long)pk.ino);
			for (const unsigned char *c = (const unsigned char *)pv.path; *c && c < (const unsigned char *)pv.path + sizeof(pv.path); c++)
				fprintf(report, "%02x", *c);
			fputc('\n', report);
		}
		pprev = pk;
		pp = &pprev;
	}
	fprintf(report, "drops %llu\nsnap\n", (unsigned long long)skel->bss->drops);
	fflush(report);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	int report_fd = -1;
	const char *spec = "", *exec_path = NULL;
	pid_t attach = 0;
	unsigned long long cgroup = 0;
	unsigned long mntns = 0;
	unsigned max_counts = 0;
	long slots = -1;
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (!v)
			fail("%s needs a value", a);
		if (strcmp(a, "--report-fd") == 0) report_fd = atoi(v);
		else if (strcmp(a, "--spec") == 0) spec = v;
		else if (strcmp(a, "--attach") == 0) attach = atoi(v);
		else if (strcmp(a, "--exec") == 0) exec_path = v;
		else if (strcmp(a, "--cgroup") == 0) cgroup = strtoull(v, NULL, 0);
		else if (strcmp(a, "--mntns") == 0) mntns = strtoul(v, NULL, 0);
		else if (strcmp(a, "--max-counts") == 0) max_counts = (unsigned)strtoul(v, NULL, 0);
		else if (strcmp(a, "--slots") == 0) slots = strtol(v, NULL, 0);
		else fail("unknown option %s", a);
		i++;
	}
	if (report_fd < 0 || !(report = fdopen(report_fd, "w")))
		fail("--report-fd must name an open fd");
	fcntl(report_fd, F_SETFD, FD_CLOEXEC);
	char **child_argv = argv + i;
	if (!attach && !cgroup && !mntns && (!exec_path || !*child_argv))
		fail("nothing to record: give --exec PATH -- ARGV, --attach PID, --cgroup or --mntns");

	/* A learn that dies takes us with it, and with us every probe. */
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		exit(2);

	sigset_t mask;
	sigemptyset(&mask);
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGCHLD };
	for (unsigned k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
		sigaddset(&mask, sigs[k]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		fail("signalfd: %s", strerror(errno));

	libbpf_set_print(keep_libbpf_message);
	skel = recorder_bpf__open();
	if (!skel)
		fail("cannot open the BPF object: %s", libbpf_said[0] ? libbpf_said : strerror(errno));
	if (max_counts > 0 && bpf_map__set_max_entries(skel->maps.counts, max_counts) != 0)
		fail("cannot size the counts map: %s", strerror(errno));
	if (slots < 0) {
		int ncpus = libbpf_num_possible_cpus();
		slots = FAST_BUDGET / ((ncpus > 0 ? ncpus : 1) * 3 * FAST_NRS * sizeof(__u64));
		if (slots > DEFAULT_SLOTS)
			slots = DEFAULT_SLOTS;
	}
	skel->rodata->nslots = slots > MAX_SLOTS ? MAX_SLOTS : (__u32)slots;
	if (bpf_map__set_max_entries(skel->maps.fast, skel->rodata->nslots > 0 ? skel->rodata->nslots : 1) != 0)
		fail("cannot size the fast counts: %s", strerror(errno));
	load_specs(-1, spec);
	if (recorder_bpf__load(skel) != 0)
		fail("cannot load the BPF program: %s", libbpf_said[0] ? libbpf_said : strerror(errno));
	load_specs(bpf_map__fd(skel->maps.argspecs), spec);
	skel->bss->target_cgroup = cgroup;
	skel->bss->target_mntns = (__u32)mntns;
	give_slot(0, 0);   /* slot 0: a task before its first exec */

	pid_t child = 0;
	int gate[2] = { -1, -1 }, exec_err[2] = { -1, -1 };
	if (exec_path) {
		if (pipe2(gate, O_CLOEXEC) != 0 || pipe2(exec_err, O_CLOEXEC) != 0)
			fail("pipe: %s", strerror(errno));
		child = fork();
		if (child < 0)
			fail("fork: %s", strerror(errno));
		if (child == 0) {
			sigprocmask(SIG_UNBLOCK, &mask, NULL);
			prctl(PR_SET_PDEATHSIG, 0);
			close(gate[1]);
			close(exec_err[0]);
			char go;
			if (read(gate[0], &go, 1) != 1)
				_exit(127);   /* the helper died before the probes were attached: never run unrecorded */
			execv(exec_path, child_argv);
			int e = errno;
			if (write(exec_err[1], &e, sizeof(e)) < 0)
				_exit(127);
			_exit(127);
		}
		close(gate[0]);
		close(exec_err[1]);
		skel->bss->target_tid = (__u32)child;
	}
	struct task_val attached = {};
	if (attach) {
		char exe[64], path[256] = "";
		struct stat st;
		snprintf(exe, sizeof(exe), "/proc/%d/exe", attach);
		if (stat(exe, &st) == 0) {
			attached.ino = st.st_ino;
			attached.dev = kernel_dev(st.st_dev);
			ssize_t n = readlink(exe, path, sizeof(path) - 1);
			if (n > 0) {
				path[n] = '\0';
				put_prog(bpf_map__fd(skel->maps.progs), attached.ino, attached.dev, path);
			}
		}
		attached.slot = give_slot(attached.ino, attached.dev);
		if (adopt_threads(attach, &attached) <= 0)
			fail("no such process: %d", attach);
		skel->bss->target_tgid = (__u32)attach;   /* its threads the pidfds missed, and those started meanwhile */
	}
	if (recorder_bpf__attach(skel) != 0)
		fail("cannot attach the probes: %s", libbpf_said[0] ? libbpf_said : strerror(errno));
	if (exec_path) {
		if (write(gate[1], "g", 1) != 1)
			fail("cannot open the gate: %s", strerror(errno));
		close(gate[1]);
		int e;
		if (read(exec_err[0], &e, sizeof(e)) == sizeof(e)) {
			waitpid(child, NULL, 0);
			fail("cannot run %s: %s", exec_path, strerror(e));
		}
		close(exec_err[0]);
	}
	fprintf(report, "ready %d\n", exec_path ? child : attach);
	fflush(report);

	int status = 0;
	bool reaped = !exec_path, stop = false;
	bool watch_only = !exec_path && !attach;   /* --cgroup/--mntns alone: until learn says stop */
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	long long next_snapshot = now_ms() + SNAPSHOT_MS;
	while (!stop) {
		poll(&pfd, 1, TICK_MS);
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			int sig = (int)si.ssi_signo;
			if (sig == SIGUSR1) {
				kill_tree();
				if (exec_path && !reaped)
					kill(child, SIGKILL);   /* even before its exec, when it is not tracked yet */
			} else if (sig != SIGCHLD) {
				if (exec_path)
					kill(child, sig);
				else
					stop = true;   /* an attached process is not ours to signal: detach */
			}
		}
		if (!reaped && waitpid(child, &status, WNOHANG) == child)
			reaped = true;
		/* like strace -f: the recording lasts until every process of the tree has exited */
		if (reaped && !watch_only && __atomic_load_n(&skel->bss->live, __ATOMIC_RELAXED) <= 0)
			stop = true;
		if (!stop && now_ms() >= next_snapshot) {
			write_snapshot();
			next_snapshot = now_ms() + SNAPSHOT_MS;
		}
	}
	recorder_bpf__detach(skel);
	write_snapshot();
	if (!exec_path)
		fprintf(report, "exit detached\n");
	else if (WIFSIGNALED(status))
		fprintf(report, "exit signal %d\n", WTERMSIG(status));
	else
		fprintf(report, "exit code %d\n", WEXITSTATUS(status));
	fprintf(report, "end\n");
	fclose(report);
	recorder_bpf__destroy(skel);
	return 0;
}
