/* Native builds (unit tests of the SDK and of views): the host capabilities reach a stand-in
 * that records what handlers did, and a driver calls the view as the host would. Linked
 * instead of glue.c and host.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static lp_test_host_t host;
static uint64_t next_ref; /* the last phx_ref given */

lp_test_host_t *lp_test_host(void) { return &host; }

static void pairs_clear(lp_pair_t **v, size_t *n) {
    lp_pairs_free(*v, *n);
    *v = NULL;
    *n = 0;
}

static void timer_free(lp_test_timer_t *t) { free(t->payload); }

static void presence_free(lp_test_presence_t *p) {
    free(p->topic);
    free(p->key);
    free(p->meta);
    free(p->ref);
}

void lp_test_reset(void) {
    free(host.title);
    free(host.navigation);
    lp_buf_free(&host.events);
    lp_buf_free(&host.log);
    pairs_clear(&host.flash, &host.nflash);
    pairs_clear(&host.kv, &host.nkv);
    lp_strings_free(host.topics, host.ntopics);
    lp_buf_free(&host.broadcasts);
    lp_buf_free(&host.sent);
    for (size_t i = 0; i < host.ntimers; i++) timer_free(&host.timers[i]);
    free(host.timers);
    for (size_t i = 0; i < host.npresences; i++) presence_free(&host.presences[i]);
    free(host.presences);
    free(host.fail);
    next_ref = 0;
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

/* A fallible call's failure: the reason from lp_test_fail_next, or `why` (NULL: none). */
static bool refuse(char **error, const char *why) {
    if (error) *error = NULL;
    char *reason = host.fail;
    host.fail = NULL;
    if (!reason && why) reason = lp__strndup(why, strlen(why));
    if (!reason) return false;
    if (error) *error = reason;
    else free(reason);
    return true;
}

void lp_test_fail_next(const char *reason) {
    free(host.fail);
    host.fail = lp__strndup(reason, strlen(reason));
}

bool lp_kv_set(const char *key, const char *value, char **error) {
    if (refuse(error, NULL)) return false;
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
/* Pubsub, timers and presence: recorded; nothing is delivered (the test calls lp_test_info_*) */

static const char *or_empty_object(const char *json) { return json ? json : "{}"; }

/* The stand-in's reasons, worded as the host's: a why[] buffer is filled and returned, or
 * NULL when the value is fine. */
typedef char why_t[96];

/* A topic (or a presence key): 1 to 256 bytes, no control characters. */
static const char *bad_name(const char *what, const char *name, why_t why) {
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > 256) {
        snprintf(why, sizeof(why_t), "a %s is 1 to 256 bytes, got %zu", what, n);
        return why;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
            snprintf(why, sizeof(why_t), "a %s has no control characters", what);
            return why;
        }
    return NULL;
}

static const char *bad_topic(const char *topic, why_t why) { return bad_name("topic", topic, why); }

static bool is_json(const char *json) {
    lp_json_t *doc = lp_json_parse(json, strlen(json));
    lp_json_free(doc);
    return doc != NULL;
}

static bool is_object(const char *json) {
    lp_json_t *doc = lp_json_parse(json, strlen(json));
    bool ok = doc && lp_jv_type(lp_json_root(doc)) == LP_JSON_OBJECT;
    lp_json_free(doc);
    return ok;
}

bool lp_subscribe(const char *topic, char **error) {
    why_t why;
    if (refuse(error, bad_topic(topic, why))) return false;
    size_t i = 0;
    while (i < host.ntopics && strcmp(host.topics[i], topic) < 0) i++;
    if (i < host.ntopics && strcmp(host.topics[i], topic) == 0) return true;
    char **grown = realloc(host.topics, (host.ntopics + 1) * sizeof *grown);
    if (!grown) lp__oom();
    host.topics = grown;
    memmove(&grown[i + 1], &grown[i], (host.ntopics - i) * sizeof *grown);
    grown[i] = lp__strndup(topic, strlen(topic));
    host.ntopics++;
    return true;
}

void lp_unsubscribe(const char *topic) {
    for (size_t i = 0; i < host.ntopics; i++)
        if (strcmp(host.topics[i], topic ? topic : "") == 0) {
            free(host.topics[i]);
            memmove(&host.topics[i], &host.topics[i + 1], (host.ntopics - i - 1) * sizeof *host.topics);
            host.ntopics--;
            return;
        }
}

bool lp_broadcast(const char *topic, const char *payload_json, bool exclude_self, char **error) {
    const char *p = or_empty_object(payload_json);
    why_t buf;
    const char *why = bad_topic(topic, buf);
    if (!why && !is_json(p)) why = "a payload is JSON";
    if (refuse(error, why)) return false;
    lp_buf_printf(&host.broadcasts, "%s %s%s\n", topic, p, exclude_self ? " (exclude self)" : "");
    return true;
}

bool lp_send_self(const char *payload_json, char **error) {
    const char *p = or_empty_object(payload_json);
    if (refuse(error, is_json(p) ? NULL : "a payload is JSON")) return false;
    lp_buf_printf(&host.sent, "%s\n", p);
    return true;
}

static bool start_timer(const char *payload_json, uint32_t ms, bool interval, uint64_t *id, char **error) {
    const char *p = or_empty_object(payload_json);
    if (id) *id = 0;
    why_t buf;
    const char *why = is_json(p) ? NULL : "a payload is JSON";
    if (!why && interval && ms < 10) {
        snprintf(buf, sizeof buf, "an interval is at least 10 ms, got %u", (unsigned)ms);
        why = buf;
    }
    if (refuse(error, why)) return false;
    lp_test_timer_t *grown = realloc(host.timers, (host.ntimers + 1) * sizeof *grown);
    if (!grown) lp__oom();
    host.timers = grown;
    lp_test_timer_t *t = &host.timers[host.ntimers++];
    t->id = ++host.last_timer;
    t->payload = lp__strndup(p, strlen(p));
    t->ms = ms;
    t->interval = interval;
    if (id) *id = t->id;
    return true;
}

bool lp_send_after(const char *payload_json, uint32_t delay_ms, uint64_t *id, char **error) {
    return start_timer(payload_json, delay_ms, false, id, error);
}

bool lp_interval(const char *payload_json, uint32_t period_ms, uint64_t *id, char **error) {
    return start_timer(payload_json, period_ms, true, id, error);
}

void lp_cancel(uint64_t id) {
    for (size_t i = 0; i < host.ntimers; i++)
        if (host.timers[i].id == id) {
            timer_free(&host.timers[i]);
            memmove(&host.timers[i], &host.timers[i + 1], (host.ntimers - i - 1) * sizeof *host.timers);
            host.ntimers--;
            return;
        }
}

/* Inserts an entry after the last one of its (topic, key), keeping the order. */
static void presence_add(const char *topic, const char *key, const char *meta, bool others) {
    size_t i = 0;
    while (i < host.npresences) {
        int c = strcmp(host.presences[i].topic, topic);
        if (c == 0) c = strcmp(host.presences[i].key, key);
        if (c > 0) break;
        i++;
    }
    lp_test_presence_t *grown = realloc(host.presences, (host.npresences + 1) * sizeof *grown);
    if (!grown) lp__oom();
    host.presences = grown;
    memmove(&grown[i + 1], &grown[i], (host.npresences - i) * sizeof *grown);
    lp_buf_t ref = {0};
    lp_buf_printf(&ref, "ref-%llu", (unsigned long long)++next_ref);
    grown[i] = (lp_test_presence_t){lp__strndup(topic, strlen(topic)), lp__strndup(key, strlen(key)),
                                    lp__strndup(meta, strlen(meta)), lp_buf_take(&ref), others};
    host.npresences++;
}

/* Removes this session's entry for (topic, key), if any. */
static void presence_remove(const char *topic, const char *key) {
    for (size_t i = 0; i < host.npresences; i++) {
        lp_test_presence_t *p = &host.presences[i];
        if (!p->others && strcmp(p->topic, topic) == 0 && strcmp(p->key, key) == 0) {
            presence_free(p);
            memmove(p, p + 1, (host.npresences - i - 1) * sizeof *p);
            host.npresences--;
            return;
        }
    }
}

bool lp_track(const char *topic, const char *key, const char *meta_json, char **error) {
    const char *meta = or_empty_object(meta_json);
    why_t buf;
    const char *why = bad_topic(topic, buf);
    if (!why) why = bad_name("presence key", key, buf);
    if (!why && !is_object(meta)) why = "a presence meta is a JSON object";
    if (refuse(error, why)) return false;
    presence_remove(topic, key ? key : "");
    presence_add(topic, key ? key : "", meta, false);
    return true;
}

void lp_untrack(const char *topic, const char *key) { presence_remove(topic ? topic : "", key ? key : ""); }

void lp_test_presence_join(const char *topic, const char *key, const char *meta_json) {
    presence_add(topic, key, or_empty_object(meta_json), true);
}

char *lp_presence_list(const char *topic) {
    lp_jw_t w;
    lp_jw_init(&w);
    lp_jw_object_begin(&w);
    const char *key = NULL;
    for (size_t i = 0; i < host.npresences; i++) {
        lp_test_presence_t *p = &host.presences[i];
        if (strcmp(p->topic, topic ? topic : "") != 0) continue;
        if (!key || strcmp(key, p->key) != 0) {
            if (key) {
                lp_jw_array_end(&w);
                lp_jw_object_end(&w);
            }
            key = p->key;
            lp_jw_key(&w, key);
            lp_jw_object_begin(&w);
            lp_jw_key(&w, "metas");
            lp_jw_array_begin(&w);
        }
        /* {...meta, "phx_ref": ref} */
        lp_json_t *doc = lp_json_parse(p->meta, strlen(p->meta));
        lp_jv meta = lp_json_root(doc);
        lp_jw_object_begin(&w);
        for (size_t k = 0; k < lp_jv_len(meta); k++) {
            size_t len;
            char *name = lp_jv_str(lp_jv_key_at(meta, k), NULL);
            const char *raw = lp_jv_raw(lp_jv_at(meta, k), &len);
            char *value = lp__strndup(raw, len);
            lp_jw_key(&w, name);
            lp_jw_raw(&w, value);
            free(name);
            free(value);
        }
        lp_jw_key(&w, "phx_ref");
        lp_jw_string(&w, p->ref);
        lp_jw_object_end(&w);
        lp_json_free(doc);
    }
    if (key) {
        lp_jw_array_end(&w);
        lp_jw_object_end(&w);
    }
    lp_jw_object_end(&w);
    char *out = lp_jw_finish(&w);
    if (!out) lp_panic("lp_presence_list: the stand-in wrote bad JSON");
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* The driver                                                                                  */

static size_t len_of(const char *s) { return s ? strlen(s) : 0; }

int lp_test_mount(const char *params_json) {
    const char *p = params_json ? params_json : "{}";
    return lp__mount(p, strlen(p), "{}", 2, true, "{}", 2);
}

int lp_test_mount_dead(const char *params_json) {
    const char *p = params_json ? params_json : "{}";
    return lp__mount(p, strlen(p), "{}", 2, false, NULL, 0);
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

int lp_test_info_sent(const char *payload_json) {
    return lp__info(LP_MESSAGE_SENT, NULL, 0, payload_json, len_of(payload_json), NULL, 0);
}

int lp_test_info_broadcast(const char *topic, const char *payload_json) {
    return lp__info(LP_MESSAGE_BROADCAST, topic, len_of(topic), payload_json, len_of(payload_json), NULL, 0);
}

int lp_test_info_presence(const char *topic, const char *joins_json, const char *leaves_json) {
    return lp__info(LP_MESSAGE_PRESENCE, topic, len_of(topic), joins_json, len_of(joins_json), leaves_json,
                    len_of(leaves_json));
}

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
