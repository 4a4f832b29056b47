// Exits 0 when an i386 system call made with `int $0x80` from this 64-bit process works (i386 getpid == getpid).
// A kernel without an ia32 entry kills it with SIGSEGV instead (some VMs, or ia32_emulation=false).
#include <unistd.h>

int main(void) {
  long ret;
  __asm__ volatile ("int $0x80" : "=a"(ret) : "a"(20L) : "memory"); /* i386 getpid */
  return ret == (long)getpid() ? 0 : 1;
}
