/* A tiny assertion harness: CHECK records a failure and goes on; the runner prints
 * "N passed, N failed" and exits non-zero on any failure. */
#ifndef LP_CHECK_H
#define LP_CHECK_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int check_failures, check_passes, test_failed;

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);              \
            test_failed = 1;                                                                      \
        }                                                                                         \
    } while (0)

#define CHECK_STR(got, want)                                                                      \
    do {                                                                                          \
        const char *g_ = (got), *w_ = (want);                                                     \
        if (!g_ || !w_ || strcmp(g_, w_) != 0) {                                                  \
            fprintf(stderr, "%s:%d: CHECK_STR failed: %s\n  got:  %s\n  want: %s\n", __FILE__,    \
                    __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");                     \
            test_failed = 1;                                                                      \
        }                                                                                         \
    } while (0)

/* CHECK_STR on a malloc'd string, then free it. */
#define CHECK_OWNED(got, want)                                                                    \
    do {                                                                                          \
        char *o_ = (got);                                                                         \
        CHECK_STR(o_, want);                                                                      \
        free(o_);                                                                                 \
    } while (0)

#define RUN(test)                                                                                 \
    do {                                                                                          \
        test_failed = 0;                                                                          \
        test();                                                                                   \
        if (test_failed) {                                                                        \
            check_failures++;                                                                     \
            fprintf(stderr, "FAIL %s\n", #test);                                                  \
        } else {                                                                                  \
            check_passes++;                                                                       \
            printf("ok %s\n", #test);                                                             \
        }                                                                                         \
    } while (0)

#define CHECK_DONE()                                                                              \
    do {                                                                                          \
        printf("%d passed, %d failed\n", check_passes, check_failures);                           \
        return check_failures ? 1 : 0;                                                            \
    } while (0)

/* Runs f in a child process and checks that it aborts with `want` in its stderr. */
__attribute__((unused)) static void check_panics(void (*f)(void), const char *want, const char *file, int line) {
    int fds[2];
    if (pipe(fds) != 0) abort();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        f();
        _exit(0);
    }
    close(fds[1]);
    char buf[4096];
    size_t n = 0;
    ssize_t k;
    while (n < sizeof buf - 1 && (k = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)k;
    buf[n] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !strstr(buf, want)) {
        fprintf(stderr, "%s:%d: expected a panic with \"%s\"; got status %d, stderr: %s\n", file, line, want,
                status, buf);
        test_failed = 1;
    }
}
#define CHECK_PANICS(f, want) check_panics((f), (want), __FILE__, __LINE__)

#endif
