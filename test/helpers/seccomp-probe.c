/*
 * seccomp-probe FILTER.bpf PROBES: the kernel oracle for the BPF compiler tests.
 *
 * PROBES holds one probe a line: "n NR A0 A1 A2 A3 A4 A5" (a native syscall(2)) or "i NR A0 .. A5"
 * (an i386 call via int $0x80, arguments cut to 32 bits). Everything is read BEFORE any filter exists.
 * A second thread then installs the filter (no TSYNC: it applies to that thread only, so the main
 * thread stays unfiltered), issues every probe recording the raw result (-errno), sets a done flag and
 * spins: the filters under test return ERRNO for everything, so that thread cannot exit cleanly. The
 * main thread waits for the flag, prints one result a line and leaves with exit_group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct probe {
	char mode;
	unsigned long nr;
	unsigned long a[6];
	long result;
};

static struct probe *probes;
static size_t nprobes;
static struct sock_fprog prog;
static int install_errno;
static int done;

static long int80(unsigned long nr, const unsigned long *a)
{
#if defined(__x86_64__)
	/* An i386 process has 32-bit registers: pass zero-extended words, a5 in ebp (saved around the
	 * call, below the red zone). */
	long ret;
	register unsigned long a5 __asm__("r8") = (unsigned int)a[5];
	__asm__ volatile("sub $128, %%rsp\n\t"
			 "push %%rbp\n\t"
			 "mov %%r8, %%rbp\n\t"
			 "int $0x80\n\t"
			 "pop %%rbp\n\t"
			 "add $128, %%rsp"
			 : "=a"(ret)
			 : "a"((unsigned int)nr), "b"((unsigned long)(unsigned int)a[0]), "c"((unsigned long)(unsigned int)a[1]),
			   "d"((unsigned long)(unsigned int)a[2]), "S"((unsigned long)(unsigned int)a[3]),
			   "D"((unsigned long)(unsigned int)a[4]), "r"(a5)
			 : "memory", "cc");
	return (int)ret;
#else
	(void)nr;
	(void)a;
	return -ENOSYS;
#endif
}

static void *worker(void *unused)
{
	(void)unused;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		install_errno = errno;
		__atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
		for (;;)
			__asm__ volatile("" ::: "memory");
	}
	for (size_t i = 0; i < nprobes; i++) {
		struct probe *p = &probes[i];
		if (p->mode == 'i') {
			p->result = int80(p->nr, p->a);
		} else {
			long r = syscall((long)p->nr, p->a[0], p->a[1], p->a[2], p->a[3], p->a[4], p->a[5]);
			p->result = r == -1 ? -errno : r;
		}
	}
	__atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ volatile("" ::: "memory");
	return NULL;
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	for (size_t r; (r = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += r;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s FILTER.bpf PROBES\n", argv[0]);
		return 2;
	}
	size_t len;
	struct sock_filter *filter = read_file(argv[1], &len);
	if (len == 0 || len % sizeof(struct sock_filter)) {
		fprintf(stderr, "%s: bad size %zu\n", argv[1], len);
		return 2;
	}
	prog.len = len / sizeof(struct sock_filter);
	prog.filter = filter;

	char *text = read_file(argv[2], &len);
	size_t cap = 256;
	probes = calloc(cap, sizeof(*probes));
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (nprobes == cap)
			probes = realloc(probes, (cap *= 2) * sizeof(*probes));
		struct probe *p = &probes[nprobes];
		char *end;
		p->mode = line[0];
		p->nr = strtoul(line + 1, &end, 0);
		for (int i = 0; i < 6; i++)
			p->a[i] = strtoul(end, &end, 0);
		if (p->mode != 'n' && p->mode != 'i') {
			fprintf(stderr, "bad probe line %zu\n", nprobes + 1);
			return 2;
		}
		nprobes++;
	}

	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL)) {
		perror("pthread_create");
		return 2;
	}
	struct timespec tick = { 0, 1000000 };
	for (int i = 0; !__atomic_load_n(&done, __ATOMIC_SEQ_CST); i++) {
		if (i > 20000) {
			fprintf(stderr, "probe thread did not finish\n");
			_exit(4);
		}
		nanosleep(&tick, NULL);
	}
	if (install_errno) {
		fprintf(stderr, "installing the filter failed: %s\n", strerror(install_errno));
		fflush(stderr);
		_exit(3);
	}
	for (size_t i = 0; i < nprobes; i++)
		printf("%ld\n", probes[i].result);
	fflush(stdout);
	_exit(0);
}
