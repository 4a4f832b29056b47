/* For learn replay tests: `mkdir-probe MS [DIR]` sleeps MS milliseconds (0 still makes the call), then
 * with DIR calls mkdir(DIR) — the one syscall a policy learned without DIR lacks — and says how it went. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

int main(int argc, char **argv) {
    long ms = argc > 1 ? atol(argv[1]) : 0;
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    if (argc > 2) {
        if (mkdir(argv[2], 0700) == 0) printf("mkdir ok\n");
        else printf("mkdir failed errno=%d\n", errno);
    }
    printf("done\n");
    return 0;
}
