/* Allocation helpers and the pending view-error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void lp__oom(void) { lp_panic("out of memory"); }

void *lp__alloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) lp__oom();
    return p;
}

void *lp__grow(void *p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return p;
    size_t c = *cap ? *cap : 4;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem) lp__oom();
        c *= 2;
    }
    void *q = realloc(p, c * elem);
    if (!q) lp__oom();
    *cap = c;
    return q;
}

char *lp__strndup(const char *s, size_t n) {
    char *d = lp__alloc(n + 1);
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *lp__vformat(const char *fmt, va_list ap) {
    lp_buf_t b = {0};
    lp_buf_vprintf(&b, fmt, ap);
    return lp_buf_take(&b);
}

static char *pending_error;

int lp_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = lp__vformat(fmt, ap);
    va_end(ap);
    free(pending_error);
    pending_error = msg;
    return LP_ERROR;
}

char *lp__take_error(void) {
    char *e = pending_error;
    pending_error = NULL;
    return e ? e : lp__strndup("the view failed without a message", 33);
}
