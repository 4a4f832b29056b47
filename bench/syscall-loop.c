/* Times N getppid() calls and prints nanoseconds per call, as CPU time of this process (what the calls
 * cost, a recorder's kernel work included) and as wall time (which a loaded machine inflates). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static double ns(clockid_t clock, struct timespec *from) {
    struct timespec to;
    clock_gettime(clock, &to);
    return (to.tv_sec - from->tv_sec) * 1e9 + (to.tv_nsec - from->tv_nsec);
}
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    struct timespec cpu, wall;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    clock_gettime(CLOCK_MONOTONIC, &wall);
    for (long i = 0; i < n; i++) getppid();
    double c = ns(CLOCK_PROCESS_CPUTIME_ID, &cpu), w = ns(CLOCK_MONOTONIC, &wall);
    printf("%.1f %.1f\n", c / n, w / n);
    return 0;
}
