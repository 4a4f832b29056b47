// Installs the classic-BPF filter read from the file argv[1] (an array of struct sock_filter), then calls
// getppid and getpgrp once each and prints its pid. Used by test/e2e/audit-kmsg.test.ts with a filter that
// returns LOG for those two harmless calls (they still run) and ALLOW for everything else.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  static struct sock_filter insns[64];
  if (argc != 2) return 2;
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 3;
  size_t n = fread(insns, sizeof insns[0], 64, f);
  fclose(f);
  struct sock_fprog prog = { (unsigned short)n, insns };
  if (n == 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 4;
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return 5;
  syscall(SYS_getppid);
  syscall(SYS_getpgrp);
  printf("%d\n", (int)getpid());
  return 0;
}
