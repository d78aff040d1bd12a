/* The host capabilities (the imports of world live-view) as C functions. Arguments are lent
 * to the host for the call (no copy); what the host returns is ours and is copied into
 * NUL-terminated strings, then freed. A view imports only the interfaces it calls: the
 * linker drops the others, and so does `wasm-tools component new`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "live_view.h"

static live_view_string_t lend(const char *s) {
    live_view_string_t v;
    live_view_string_set(&v, s ? s : "");
    return v;
}

/* A NUL-terminated copy of a string the host gave us; frees the original. */
static char *take(live_view_string_t *s) {
    char *out = lp__strndup((const char *)s->ptr, s->len);
    live_view_string_free(s);
    return out;
}

static void log_str(lp_level_t level, const char *msg) {
    live_view_string_t m = lend(msg);
    liveplug_view_log_log((liveplug_view_log_level_t)level, &m);
}

void lp_log(lp_level_t level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = lp__vformat(fmt, ap);
    va_end(ap);
    log_str(level, msg);
    free(msg);
}

void lp_panic(const char *fmt, ...) {
    /* No allocation: memory may be what ran out. */
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_str(LP_LOG_ERROR, msg);
    __builtin_trap();
}

void lp_title(const char *title) {
    live_view_string_t t = lend(title);
    liveplug_view_page_set_title(&t);
}

void lp_titlef(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *t = lp__vformat(fmt, ap);
    va_end(ap);
    lp_title(t);
    free(t);
}

void lp_push_event(const char *name, const char *payload_json, bool before_patch) {
    live_view_string_t n = lend(name), p = lend(payload_json ? payload_json : "{}");
    liveplug_view_page_push_event(&n, &p, before_patch);
}

static liveplug_view_navigation_history_t history(bool replace) {
    return replace ? LIVEPLUG_VIEW_NAVIGATION_HISTORY_REPLACE : LIVEPLUG_VIEW_NAVIGATION_HISTORY_PUSH;
}

void lp_push_patch(const char *to, bool replace) {
    live_view_string_t t = lend(to);
    liveplug_view_navigation_push_patch(&t, history(replace));
}

void lp_push_navigate(const char *to, bool replace) {
    live_view_string_t t = lend(to);
    liveplug_view_navigation_push_navigate(&t, history(replace));
}

static void redirect(uint8_t tag, const char *to) {
    liveplug_view_navigation_location_t loc;
    loc.tag = tag;
    loc.val.path = lend(to);
    liveplug_view_navigation_redirect(&loc);
}

void lp_redirect(const char *path) { redirect(LIVEPLUG_VIEW_NAVIGATION_LOCATION_PATH, path); }
void lp_redirect_external(const char *url) { redirect(LIVEPLUG_VIEW_NAVIGATION_LOCATION_EXTERNAL, url); }

void lp_flash_put(const char *kind, const char *message) {
    live_view_string_t k = lend(kind), m = lend(message);
    liveplug_view_flash_put(&k, &m);
}

void lp_flash_clear(const char *kind) {
    live_view_string_t k = lend(kind);
    liveplug_view_flash_clear(kind ? &k : NULL);
}

char *lp_flash_get(const char *kind) {
    live_view_string_t k = lend(kind), out;
    if (!liveplug_view_flash_get(&k, &out)) return NULL;
    return take(&out);
}

size_t lp_flash_all(lp_pair_t **out) {
    live_view_list_tuple2_string_string_t all;
    liveplug_view_flash_all(&all);
    *out = lp__alloc(all.len * sizeof **out);
    for (size_t i = 0; i < all.len; i++) {
        (*out)[i].key = take(&all.ptr[i].f0);
        (*out)[i].value = take(&all.ptr[i].f1);
    }
    size_t n = all.len;
    if (n) free(all.ptr);
    return n;
}

void lp_pairs_free(lp_pair_t *pairs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].key);
        free(pairs[i].value);
    }
    free(pairs);
}

char *lp_kv_get(const char *key) {
    live_view_string_t k = lend(key), out;
    if (!liveplug_view_keyvalue_get(&k, &out)) return NULL;
    return take(&out);
}

/* The result of a fallible import: true for ok; for an error, false with the host's reason in
 * *error (when wanted; the caller frees it). */
static bool result(bool ok, live_view_string_t *err, char **error) {
    if (error) *error = NULL;
    if (ok) return true;
    char *e = take(err);
    if (error) *error = e;
    else free(e);
    return false;
}

bool lp_kv_set(const char *key, const char *value, char **error) {
    live_view_string_t k = lend(key), v = lend(value), err;
    return result(liveplug_view_keyvalue_set(&k, &v, &err), &err, error);
}

bool lp_kv_delete(const char *key) {
    live_view_string_t k = lend(key);
    return liveplug_view_keyvalue_delete(&k);
}

size_t lp_kv_keys(const char *prefix, char ***out) {
    live_view_string_t p = lend(prefix);
    live_view_list_string_t keys;
    liveplug_view_keyvalue_keys(&p, &keys);
    *out = lp__alloc(keys.len * sizeof **out);
    for (size_t i = 0; i < keys.len; i++) (*out)[i] = take(&keys.ptr[i]);
    size_t n = keys.len;
    if (n) free(keys.ptr);
    return n;
}

void lp_strings_free(char **strings, size_t n) {
    for (size_t i = 0; i < n; i++) free(strings[i]);
    free(strings);
}

/* JSON arguments: NULL stands for an empty object. */
static live_view_string_t lend_json(const char *json) { return lend(json ? json : "{}"); }

bool lp_subscribe(const char *topic, char **error) {
    live_view_string_t t = lend(topic), err;
    return result(liveplug_view_pubsub_subscribe(&t, &err), &err, error);
}

void lp_unsubscribe(const char *topic) {
    live_view_string_t t = lend(topic);
    liveplug_view_pubsub_unsubscribe(&t);
}

bool lp_broadcast(const char *topic, const char *payload_json, bool exclude_self, char **error) {
    live_view_string_t t = lend(topic), p = lend_json(payload_json), err;
    return result(liveplug_view_pubsub_broadcast(&t, &p, exclude_self, &err), &err, error);
}

bool lp_send_self(const char *payload_json, char **error) {
    live_view_string_t p = lend_json(payload_json), err;
    return result(liveplug_view_timers_send_self(&p, &err), &err, error);
}

/* send-after and interval share one shape: a payload, milliseconds, an id out. */
typedef bool (*lp_timer_import)(live_view_string_t *, uint32_t, liveplug_view_timers_timer_id_t *,
                                live_view_string_t *);

static bool start_timer(lp_timer_import start, const char *payload_json, uint32_t ms, uint64_t *id,
                        char **error) {
    live_view_string_t p = lend_json(payload_json), err;
    liveplug_view_timers_timer_id_t t = 0;
    bool ok = result(start(&p, ms, &t, &err), &err, error);
    if (id) *id = ok ? t : 0;
    return ok;
}

bool lp_send_after(const char *payload_json, uint32_t delay_ms, uint64_t *id, char **error) {
    return start_timer(liveplug_view_timers_send_after, payload_json, delay_ms, id, error);
}

bool lp_interval(const char *payload_json, uint32_t period_ms, uint64_t *id, char **error) {
    return start_timer(liveplug_view_timers_interval, payload_json, period_ms, id, error);
}

void lp_cancel(uint64_t id) { liveplug_view_timers_cancel(id); }

bool lp_track(const char *topic, const char *key, const char *meta_json, char **error) {
    live_view_string_t t = lend(topic), k = lend(key), m = lend_json(meta_json), err;
    return result(liveplug_view_presence_track(&t, &k, &m, &err), &err, error);
}

void lp_untrack(const char *topic, const char *key) {
    live_view_string_t t = lend(topic), k = lend(key);
    liveplug_view_presence_untrack(&t, &k);
}

char *lp_presence_list(const char *topic) {
    live_view_string_t t = lend(topic), out;
    liveplug_view_presence_list(&t, &out);
    return take(&out);
}
