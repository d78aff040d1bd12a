/* The `realtime` test view in C: pubsub, timers (send-self, send-after, interval, cancel) and
 * presence of liveplug:view@0.4.0. The twin of the Rust view in tests/guests/realtime (same
 * behaviour, byte-identical HTML); the host's integration test drives every language through
 * the same steps over the websocket. Served at /realtime-c?user=alice&room=lobby. */
#include <stdlib.h>
#include <string.h>

#include "liveplug.h"

#define LOG_MAX 20

static char *user;   /* "anon" unless params.user is a non-empty string */
static char *topic;  /* "room:" + (params.room, or "lobby") */
static int64_t ticks;
static char *log_[LOG_MAX]; /* oldest first */
static size_t nlog;
static bool has_timer;
static uint64_t timer;
static char *online; /* online_of(presence.list(topic)) */

static LP_TEMPLATE(page_t,
    "<section id=\"realtime\"><p id=\"ticks\">ticks: ", /* ticks */
    "</p><p id=\"online\">online: ",                     /* online */
    "</p><ul id=\"log\">",                               /* items */
    "</ul></section>");
static LP_TEMPLATE(entry_t, "<li>", "</li>");

/* ---- Helpers -------------------------------------------------------------------------------- */

static char *dup(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (!d) lp_panic("out of memory");
    memcpy(d, s, n + 1);
    return d;
}

static char *concat(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    char *d = malloc(na + nb + 1);
    if (!d) lp_panic("out of memory");
    memcpy(d, a, na);
    memcpy(d + na, b, nb + 1);
    return d;
}

static void set(char **field, char *value) {
    free(*field);
    *field = value;
}

static void log_clear(void) {
    for (size_t i = 0; i < nlog; i++) free(log_[i]);
    nlog = 0;
}

/* Appends a malloc'd entry; the oldest goes past LOG_MAX. */
static void log_push(char *entry) {
    if (nlog == LOG_MAX) {
        free(log_[0]);
        memmove(&log_[0], &log_[1], (LOG_MAX - 1) * sizeof *log_);
        nlog--;
    }
    log_[nlog++] = entry;
}

/* A string field of an object, or "" (NULL only for strings that are not one). */
static char *str_or_empty(lp_jv obj, const char *key) {
    char *s = lp_jv_str(lp_jv_get(obj, key), NULL);
    return s ? s : dup("");
}

/* A non-empty string field, or NULL. */
static char *non_empty(lp_jv obj, const char *key) {
    size_t len;
    char *s = lp_jv_str(lp_jv_get(obj, key), &len);
    if (s && len == 0) {
        free(s);
        s = NULL;
    }
    return s;
}

/* Fails the handler with an import's reason (freed). */
static int failed(const char *call, char *error) {
    int rc = lp_error("%s: %s", call, error ? error : "failed");
    free(error);
    return rc;
}

/* {"<key>": value}, with value a string (or, with raw, JSON text). */
static char *object1(const char *key, const char *value, bool raw) {
    lp_jw_t w;
    lp_jw_init(&w);
    lp_jw_object_begin(&w);
    lp_jw_key(&w, key);
    if (raw) lp_jw_raw(&w, value);
    else lp_jw_string(&w, value);
    lp_jw_object_end(&w);
    char *json = lp_jw_finish(&w);
    if (!json) lp_panic("object1: bad JSON");
    return json;
}

/* ---- online_of ------------------------------------------------------------------------------ */

typedef struct {
    char *key;
    size_t len;
    size_t metas;
} who_t;

static int by_bytes(const void *a, const void *b) {
    const who_t *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* The keys of a presence list sorted by byte order, "key" for one meta and "key (n)" for
 * any other count, joined with ", ". Takes the list (malloc'd). */
static char *online_of(char *list) {
    lp_json_t *doc = lp_json_parse(list, strlen(list));
    free(list);
    if (!doc) return dup("");
    lp_jv root = lp_json_root(doc);
    size_t n = lp_jv_type(root) == LP_JSON_OBJECT ? lp_jv_len(root) : 0;
    who_t *who = calloc(n ? n : 1, sizeof *who);
    if (!who) lp_panic("out of memory");
    for (size_t i = 0; i < n; i++) {
        who[i].key = lp_jv_str(lp_jv_key_at(root, i), &who[i].len);
        who[i].metas = lp_jv_len(lp_jv_get(lp_jv_at(root, i), "metas"));
    }
    lp_json_free(doc);
    qsort(who, n, sizeof *who, by_bytes);
    lp_buf_t b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) lp_buf_puts(&b, ", ");
        lp_buf_append(&b, who[i].key, who[i].len);
        if (who[i].metas != 1) lp_buf_printf(&b, " (%zu)", who[i].metas);
        free(who[i].key);
    }
    free(who);
    return lp_buf_take(&b);
}

/* ---- The view ------------------------------------------------------------------------------- */

int lp_view_mount(const lp_mount_t *m) {
    char *u = non_empty(m->params, "user");
    char *room = non_empty(m->params, "room");
    set(&user, u ? u : dup("anon"));
    set(&topic, concat("room:", room ? room : "lobby"));
    free(room);
    ticks = 0;
    log_clear();
    has_timer = false;
    timer = 0;
    set(&online, dup(""));
    if (!m->connected) return LP_OK;

    char *error = NULL;
    if (!lp_subscribe(topic, &error)) return failed("pubsub.subscribe", error);
    char *meta = object1("name", user, false);
    bool ok = lp_track(topic, user, meta, &error);
    free(meta);
    if (!ok) return failed("presence.track", error);
    set(&online, online_of(lp_presence_list(topic)));
    return LP_OK;
}

/* {"from": user, "text": text} to the topic. */
static int say(const char *text, bool exclude_self) {
    lp_jw_t w;
    lp_jw_init(&w);
    lp_jw_object_begin(&w);
    lp_jw_key(&w, "from");
    lp_jw_string(&w, user);
    lp_jw_key(&w, "text");
    lp_jw_string(&w, text);
    lp_jw_object_end(&w);
    char *payload = lp_jw_finish(&w);
    char *error = NULL;
    bool ok = lp_broadcast(topic, payload, exclude_self, &error);
    free(payload);
    return ok ? LP_OK : failed("pubsub.broadcast", error);
}

/* The "ms" field: a string of decimal milliseconds (saturated to u32), else 0, as the Rust
 * twin reads it. */
static uint32_t ms_of(lp_jv value) {
    lp_jv v = lp_jv_get(value, "ms");
    int64_t n;
    if (lp_jv_type(v) != LP_JSON_STRING || !lp_jv_int_str(v, &n) || n < 0) return 0;
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

int lp_view_handle_event(lp_event_t *ev) {
    char *error = NULL;
    if (lp_event_is(ev, "say") || lp_event_is(ev, "say-others")) {
        bool others = lp_event_is(ev, "say-others");
        char *text = str_or_empty(ev->value, "text");
        int rc = say(text, others);
        if (rc == LP_OK && others) log_push(concat("me: ", text));
        free(text);
        return rc;
    }
    if (lp_event_is(ev, "tick")) {
        if (has_timer) lp_cancel(timer);
        has_timer = false;
        uint64_t id;
        if (!lp_interval("{\"tick\":true}", ms_of(ev->value), &id, &error)) return failed("timers.interval", error);
        has_timer = true;
        timer = id;
        return LP_OK;
    }
    if (lp_event_is(ev, "stop")) {
        if (has_timer) lp_cancel(timer);
        has_timer = false;
        return LP_OK;
    }
    if (lp_event_is(ev, "later") || lp_event_is(ev, "self")) {
        bool later = lp_event_is(ev, "later");
        uint32_t ms = later ? ms_of(ev->value) : 0;
        char *text = str_or_empty(ev->value, "text");
        char *payload = object1("note", text, false);
        free(text);
        bool ok = later ? lp_send_after(payload, ms, NULL, &error) : lp_send_self(payload, &error);
        free(payload);
        return ok ? LP_OK : failed(later ? "timers.send-after" : "timers.send-self", error);
    }
    if (lp_event_is(ev, "leave")) {
        lp_untrack(topic, user);
        lp_unsubscribe(topic);
        log_push(dup("left"));
        set(&online, online_of(lp_presence_list(topic)));
        return LP_OK;
    }
    return LP_OK; /* any other event is ignored */
}

int lp_view_handle_info(const lp_message_t *m) {
    switch (m->kind) {
    case LP_MESSAGE_SENT:
        if (lp_jv_ok(lp_jv_get(m->payload, "tick"))) ticks++;
        else if (lp_jv_ok(lp_jv_get(m->payload, "note"))) {
            char *note = str_or_empty(m->payload, "note");
            log_push(concat("note: ", note));
            free(note);
        }
        break;
    case LP_MESSAGE_BROADCAST: {
        char *from = str_or_empty(m->payload, "from"), *text = str_or_empty(m->payload, "text");
        lp_buf_t b = {0};
        lp_buf_printf(&b, "%s: %s", from, text);
        log_push(lp_buf_take(&b));
        free(from);
        free(text);
        break;
    }
    case LP_MESSAGE_PRESENCE: set(&online, online_of(lp_presence_list(m->topic))); break;
    }
    return LP_OK;
}

lp_node lp_view_render(lp_render_t *r) {
    lp_node items = lp_keyed(r, &entry_t);
    for (size_t i = 0; i < nlog; i++) lp_item(r, items, NULL, lp_text(r, log_[i]));
    return lp_tree(r, &page_t, lp_int(r, ticks), lp_text(r, online ? online : ""), items);
}

/* ---- Snapshots: {"user","topic","ticks","log","timer" (a decimal string or null),"online"} -- */

uint32_t lp_view_snapshot(lp_jw_t *w) {
    lp_jw_object_begin(w);
    lp_jw_key(w, "user");
    lp_jw_string(w, user ? user : "anon");
    lp_jw_key(w, "topic");
    lp_jw_string(w, topic ? topic : "room:lobby");
    lp_jw_key(w, "ticks");
    lp_jw_int(w, ticks);
    lp_jw_key(w, "log");
    lp_jw_array_begin(w);
    for (size_t i = 0; i < nlog; i++) lp_jw_string(w, log_[i]);
    lp_jw_array_end(w);
    lp_jw_key(w, "timer");
    if (has_timer) {
        /* A string: a u64 does not fit every JSON reader's numbers. */
        lp_buf_t id = {0};
        lp_buf_printf(&id, "%llu", (unsigned long long)timer);
        char *s = lp_buf_take(&id);
        lp_jw_string(w, s);
        free(s);
    } else {
        lp_jw_null(w);
    }
    lp_jw_key(w, "online");
    lp_jw_string(w, online ? online : "");
    lp_jw_object_end(w);
    return 1;
}

/* A decimal u64 string. */
static bool u64_of(const char *s, uint64_t *out) {
    uint64_t n = 0;
    if (!*s) return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10) return false;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    *out = n;
    return true;
}

int lp_view_restore(lp_jv state, uint32_t version) {
    if (version != 1) return lp_error("cannot restore a version %u snapshot into version 1", version);
    lp_jv log = lp_jv_get(state, "log"), tv = lp_jv_get(state, "timer");
    int64_t t;
    char *u = lp_jv_str(lp_jv_get(state, "user"), NULL);
    char *tp = lp_jv_str(lp_jv_get(state, "topic"), NULL);
    char *on = lp_jv_str(lp_jv_get(state, "online"), NULL);
    char *ts = lp_jv_is_null(tv) ? NULL : lp_jv_str(tv, NULL);
    uint64_t id = 0;
    bool ok = u && tp && on && lp_jv_int(lp_jv_get(state, "ticks"), &t) && lp_jv_type(log) == LP_JSON_ARRAY &&
              lp_jv_len(log) <= LOG_MAX && (lp_jv_is_null(tv) || (ts && u64_of(ts, &id)));
    for (size_t i = 0; ok && i < lp_jv_len(log); i++) ok = lp_jv_type(lp_jv_at(log, i)) == LP_JSON_STRING;
    free(ts);
    if (!ok) {
        free(u);
        free(tp);
        free(on);
        return lp_error("snapshot: expected {user, topic, ticks, log, timer, online}");
    }
    set(&user, u);
    set(&topic, tp);
    set(&online, on);
    ticks = t;
    log_clear();
    for (size_t i = 0; i < lp_jv_len(log); i++) log_push(lp_jv_str(lp_jv_at(log, i), NULL));
    has_timer = !lp_jv_is_null(tv);
    timer = id;
    return LP_OK;
}
