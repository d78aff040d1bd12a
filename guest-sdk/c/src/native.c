/* Native builds (unit tests of the SDK and of views): the host capabilities reach a stand-in
 * that records what handlers did, and a driver calls the view as the host would. Linked
 * instead of glue.c and host.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static lp_test_host_t host;

lp_test_host_t *lp_test_host(void) { return &host; }

static void pairs_clear(lp_pair_t **v, size_t *n) {
    lp_pairs_free(*v, *n);
    *v = NULL;
    *n = 0;
}

void lp_test_reset(void) {
    free(host.title);
    free(host.navigation);
    lp_buf_free(&host.events);
    lp_buf_free(&host.log);
    pairs_clear(&host.flash, &host.nflash);
    pairs_clear(&host.kv, &host.nkv);
    memset(&host, 0, sizeof host);
    lp_instance_reset();
    free(lp__take_error());
}

void lp_panic(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "liveplug panic: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

static const char *level_name(lp_level_t l) {
    static const char *names[] = {"trace", "debug", "info", "warn", "error"};
    return l <= LP_LOG_ERROR ? names[l] : "?";
}

void lp_log(lp_level_t level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    lp_buf_printf(&host.log, "%s: ", level_name(level));
    lp_buf_vprintf(&host.log, fmt, ap);
    lp_buf_puts(&host.log, "\n");
    va_end(ap);
}

void lp_title(const char *title) {
    free(host.title);
    host.title = lp__strndup(title, strlen(title));
}

void lp_titlef(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    free(host.title);
    host.title = lp__vformat(fmt, ap);
    va_end(ap);
}

void lp_push_event(const char *name, const char *payload_json, bool before_patch) {
    lp_buf_printf(&host.events, "%s %s%s\n", name, payload_json ? payload_json : "{}",
                  before_patch ? " (before patch)" : "");
}

static void navigate(const char *kind, const char *to, bool replace) {
    free(host.navigation);
    lp_buf_t b = {0};
    lp_buf_printf(&b, "%s %s%s", kind, to, replace ? " (replace)" : "");
    host.navigation = lp_buf_take(&b);
}

void lp_push_patch(const char *to, bool replace) { navigate("patch", to, replace); }
void lp_push_navigate(const char *to, bool replace) { navigate("navigate", to, replace); }
void lp_redirect(const char *path) { navigate("redirect", path, false); }
void lp_redirect_external(const char *url) { navigate("external", url, false); }

/* Sorted maps of pairs. */
static lp_pair_t *find(lp_pair_t *v, size_t n, const char *key, size_t *at) {
    size_t i = 0;
    while (i < n && strcmp(v[i].key, key) < 0) i++;
    *at = i;
    return i < n && strcmp(v[i].key, key) == 0 ? &v[i] : NULL;
}

static void put(lp_pair_t **v, size_t *n, const char *key, const char *value) {
    size_t at;
    lp_pair_t *p = find(*v, *n, key, &at);
    if (p) {
        free(p->value);
        p->value = lp__strndup(value, strlen(value));
        return;
    }
    lp_pair_t *grown = realloc(*v, (*n + 1) * sizeof *grown);
    if (!grown) lp__oom();
    *v = grown;
    memmove(&grown[at + 1], &grown[at], (*n - at) * sizeof *grown);
    grown[at].key = lp__strndup(key, strlen(key));
    grown[at].value = lp__strndup(value, strlen(value));
    (*n)++;
}

static bool del(lp_pair_t *v, size_t *n, const char *key) {
    size_t at;
    lp_pair_t *p = find(v, *n, key, &at);
    if (!p) return false;
    free(p->key);
    free(p->value);
    memmove(&v[at], &v[at + 1], (*n - at - 1) * sizeof *v);
    (*n)--;
    return true;
}

static char *get(lp_pair_t *v, size_t n, const char *key) {
    size_t at;
    lp_pair_t *p = find(v, n, key, &at);
    return p ? lp__strndup(p->value, strlen(p->value)) : NULL;
}

void lp_flash_put(const char *kind, const char *message) { put(&host.flash, &host.nflash, kind, message); }
void lp_flash_clear(const char *kind) {
    if (kind) del(host.flash, &host.nflash, kind);
    else pairs_clear(&host.flash, &host.nflash);
}
char *lp_flash_get(const char *kind) { return get(host.flash, host.nflash, kind); }

size_t lp_flash_all(lp_pair_t **out) {
    *out = lp__alloc(host.nflash * sizeof **out);
    for (size_t i = 0; i < host.nflash; i++) {
        (*out)[i].key = lp__strndup(host.flash[i].key, strlen(host.flash[i].key));
        (*out)[i].value = lp__strndup(host.flash[i].value, strlen(host.flash[i].value));
    }
    return host.nflash;
}

void lp_pairs_free(lp_pair_t *pairs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].key);
        free(pairs[i].value);
    }
    free(pairs);
}

char *lp_kv_get(const char *key) { return get(host.kv, host.nkv, key); }

bool lp_kv_set(const char *key, const char *value, char **error) {
    if (error) *error = NULL;
    put(&host.kv, &host.nkv, key, value);
    return true;
}

bool lp_kv_delete(const char *key) { return del(host.kv, &host.nkv, key); }

size_t lp_kv_keys(const char *prefix, char ***out) {
    size_t n = 0, pl = strlen(prefix);
    *out = lp__alloc(host.nkv * sizeof **out);
    for (size_t i = 0; i < host.nkv; i++)
        if (strncmp(host.kv[i].key, prefix, pl) == 0) (*out)[n++] = lp__strndup(host.kv[i].key, strlen(host.kv[i].key));
    return n;
}

void lp_strings_free(char **strings, size_t n) {
    for (size_t i = 0; i < n; i++) free(strings[i]);
    free(strings);
}

/* ------------------------------------------------------------------------------------------ */
/* The driver                                                                                  */

static size_t len_of(const char *s) { return s ? strlen(s) : 0; }

int lp_test_mount(const char *params_json) {
    const char *p = params_json ? params_json : "{}";
    return lp__mount(p, strlen(p), "{}", 2, true, "{}", 2);
}

int lp_test_event(const char *name, const char *value_json, char **reply) {
    char *r = NULL;
    const char *v = value_json ? value_json : "{}";
    int rc = lp__event(name, strlen(name), v, strlen(v), false, 0, &r);
    if (reply) *reply = r;
    else free(r);
    return rc;
}

int lp_test_params(const char *url, const char *params_json) {
    return lp__params(url, strlen(url), params_json, len_of(params_json));
}

int lp_test_info(const char *message_json) { return lp__info(message_json, len_of(message_json)); }

char *lp_test_render(void) {
    lp_node root;
    lp_render_t *r = lp__render(&root);
    char *html = lp_render_html(r, root);
    lp__render_mark_sent(r);
    lp_render_free(r);
    return html;
}

char *lp_test_snapshot(void) { return lp__snapshot(); }

int lp_test_restore(const char *text) { return lp__restore(text, strlen(text)); }

char *lp_test_error(void) { return lp__take_error(); }
