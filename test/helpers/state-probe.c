// Prints the process state a seccomp loader must hand over untouched, one `key=value` per line:
// signal dispositions 1-64 and the blocked mask (raw syscalls: glibc hides 32/33), fds 0-2 and any fd
// above 2, the environment, NoNewPrivs/Seccomp from /proc/self/status and RLIMIT_NOFILE.
// With `getppid` as argv[1] it first calls getppid and prints the result and errno (a filter may deny it).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <signal.h>
#include <unistd.h>

extern char **environ;

struct kernel_sigaction { unsigned long handler, flags, restorer, mask; };

static void signals(void) {
  for (int sig = 1; sig <= 64; sig++) {
    struct kernel_sigaction old;
    memset(&old, 0, sizeof old);
    if (syscall(SYS_rt_sigaction, sig, NULL, &old, 8) != 0) { printf("sig.%d=error\n", sig); continue; }
    if (old.handler != 0) printf("sig.%d=%s\n", sig, old.handler == 1 ? "ignored" : "handled");
  }
  unsigned long blocked = 0;
  syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &blocked, 8);
  printf("blocked=%lx\n", blocked);
}

static void fds(void) {
  for (int fd = 0; fd <= 2; fd++) {
    int fdflags = fcntl(fd, F_GETFD);
    if (fdflags < 0) { printf("fd.%d=closed\n", fd); continue; }
    int fl = fcntl(fd, F_GETFL);
    printf("fd.%d=open%s%s\n", fd, (fdflags & FD_CLOEXEC) ? ",cloexec" : "", (fl & O_NONBLOCK) ? ",nonblock" : "");
  }
  DIR *d = opendir("/proc/self/fd");
  if (!d) { printf("fds=error\n"); return; }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd > 2 && fd != dirfd(d)) printf("extra_fd=%d\n", fd);
  }
  closedir(d);
}

static void status(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[512];
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "NoNewPrivs:", 11) == 0) printf("NoNewPrivs=%d\n", atoi(line + 11));
    if (strncmp(line, "Seccomp:", 8) == 0) printf("Seccomp=%d\n", atoi(line + 8));
  }
  fclose(f);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "getppid") == 0) {
    errno = 0;
    long r = syscall(SYS_getppid);
    printf("getppid=%ld\ngetppid_errno=%d\n", r, r < 0 ? errno : 0);
    fflush(stdout);
  }
  signals();
  fds();
  for (char **e = environ; *e; e++) printf("env=%s\n", *e);
  status();
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  printf("nofile_soft=%lu\nnofile_hard=%lu\n", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
  return 0;
}
