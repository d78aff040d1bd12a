/* The view lifecycle over C strings: JSON parsing, defaults for the optional handlers, the
 * snapshot envelope. The WIT glue (glue.c) and the native test driver (native.c) both call
 * these, so what they do is unit-tested natively. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ------------------------------------------------------------------------------------------ */
/* Defaults for every lp_view_* but render                                                     */

__attribute__((weak)) void lp_view_describe(lp_describe_t *d) { (void)d; }
__attribute__((weak)) int lp_view_mount(const lp_mount_t *m) {
    (void)m;
    return LP_OK;
}
__attribute__((weak)) int lp_view_handle_event(lp_event_t *ev) { return lp_unknown_event(ev); }
__attribute__((weak)) int lp_view_handle_params(const char *url, lp_jv params) {
    (void)url;
    (void)params;
    return LP_OK;
}
__attribute__((weak)) int lp_view_handle_info(const lp_message_t *message) {
    (void)message;
    return LP_OK;
}
__attribute__((weak)) void lp_view_components_destroyed(const uint32_t *ids, size_t n) {
    (void)ids;
    (void)n;
}
__attribute__((weak)) uint32_t lp_view_snapshot(lp_jw_t *w) {
    (void)w;
    return 0;
}
__attribute__((weak)) int lp_view_restore(lp_jv state, uint32_t version) {
    (void)state;
    (void)version;
    return lp_error("this view does not restore snapshots");
}

/* ------------------------------------------------------------------------------------------ */
/* Events and describe                                                                         */

bool lp_event_is(const lp_event_t *ev, const char *name) { return strcmp(ev->name, name) == 0; }

int lp_unknown_event(const lp_event_t *ev) { return lp_error("unknown event \"%s\"", ev->name); }

void lp_reply(lp_event_t *ev, const char *json) {
    free(ev->reply);
    ev->reply = lp__strndup(json, strlen(json));
}

void lp_route(lp_describe_t *d, const char *path) {
    d->routes = lp__grow(d->routes, &d->cap, d->n + 1, sizeof *d->routes);
    d->routes[d->n++] = lp__strndup(path, strlen(path));
}

void lp_live_session(lp_describe_t *d, const char *name) {
    free(d->live_session);
    d->live_session = name ? lp__strndup(name, strlen(name)) : NULL;
}

void lp__describe_free(lp_describe_t *d) {
    for (size_t i = 0; i < d->n; i++) free(d->routes[i]);
    free(d->routes);
    free(d->live_session);
    memset(d, 0, sizeof *d);
}

/* ------------------------------------------------------------------------------------------ */
/* Handlers                                                                                    */

/* Parses a JSON payload of the host; empty text is null, as in the Rust SDK. */
static lp_json_t *parse(const char *what, const char *text, size_t len) {
    if (len == 0) return lp_json_parse("null", 4);
    lp_json_t *doc = lp_json_parse(text, len);
    if (!doc) lp_error("invalid JSON in %s", what);
    return doc;
}

int lp__mount(const char *params, size_t params_len, const char *session, size_t session_len, bool connected,
              const char *connect_params, size_t connect_params_len) {
    lp_json_t *p = parse("the mount params", params, params_len);
    lp_json_t *s = p ? parse("the session", session, session_len) : NULL;
    lp_json_t *c = NULL;
    int rc = LP_ERROR;
    if (!s) goto done;
    if (connect_params) {
        c = parse("the connect params", connect_params, connect_params_len);
        if (!c) goto done;
    }
    lp_mount_t m = {lp_json_root(p), lp_json_root(s), connected, c ? lp_json_root(c) : (lp_jv){NULL, -1}};
    rc = lp_view_mount(&m) == LP_OK ? LP_OK : LP_ERROR;
done:
    lp_json_free(p);
    lp_json_free(s);
    lp_json_free(c);
    return rc;
}

int lp__event(const char *name, size_t name_len, const char *value, size_t value_len, bool has_target,
              uint32_t target, char **reply) {
    *reply = NULL;
    char *n = lp__strndup(name, name_len);
    lp_json_t *v = parse("the event value", value, value_len);
    if (!v) {
        free(n);
        return LP_ERROR;
    }
    lp_event_t ev = {n, lp_json_root(v), has_target, target, NULL};
    int rc = lp_view_handle_event(&ev) == LP_OK ? LP_OK : LP_ERROR;
    if (rc == LP_OK) *reply = ev.reply;
    else free(ev.reply);
    lp_json_free(v);
    free(n);
    return rc;
}

int lp__params(const char *url, size_t url_len, const char *params, size_t params_len) {
    lp_json_t *p = parse("the URL params", params, params_len);
    if (!p) return LP_ERROR;
    char *u = lp__strndup(url, url_len);
    int rc = lp_view_handle_params(u, lp_json_root(p)) == LP_OK ? LP_OK : LP_ERROR;
    free(u);
    lp_json_free(p);
    return rc;
}

/* A NUL-terminated copy of JSON text; "null" for empty text, as parse() reads it. */
static char *json_text(const char *text, size_t len) { return len ? lp__strndup(text, len) : lp__strndup("null", 4); }

int lp__info(lp_message_kind_t kind, const char *topic, size_t topic_len, const char *a, size_t a_len,
             const char *b, size_t b_len) {
    static const lp_jv missing = {NULL, -1};
    lp_message_t m = {kind, NULL, NULL, NULL, NULL, missing, missing, missing};
    lp_json_t *da = NULL, *db = NULL;
    char *t = NULL, *ta = NULL, *tb = NULL;
    int rc = LP_ERROR;
    switch (kind) {
    case LP_MESSAGE_SENT:
    case LP_MESSAGE_BROADCAST:
        da = parse(kind == LP_MESSAGE_SENT ? "the sent message" : "the broadcast payload", a, a_len);
        if (!da) goto done;
        m.payload_json = ta = json_text(a, a_len);
        m.payload = lp_json_root(da);
        break;
    case LP_MESSAGE_PRESENCE:
        da = parse("the presence joins", a, a_len);
        db = da ? parse("the presence leaves", b, b_len) : NULL;
        if (!db) goto done;
        m.joins_json = ta = json_text(a, a_len);
        m.leaves_json = tb = json_text(b, b_len);
        m.joins = lp_json_root(da);
        m.leaves = lp_json_root(db);
        break;
    default: lp_panic("lp__info: unknown message kind %d", (int)kind);
    }
    if (kind != LP_MESSAGE_SENT) m.topic = t = lp__strndup(topic ? topic : "", topic ? topic_len : 0);
    rc = lp_view_handle_info(&m) == LP_OK ? LP_OK : LP_ERROR;
done:
    lp_json_free(da);
    lp_json_free(db);
    free(t);
    free(ta);
    free(tb);
    return rc;
}

lp_render_t *lp__render(lp_node *root) {
    lp_render_t *r = lp_render_new();
    *root = lp_view_render(r);
    lp__render_check(r, *root);
    return r;
}

/* ------------------------------------------------------------------------------------------ */
/* Snapshots: {"v":<version>,"state":<the view's JSON>}                                        */

char *lp__snapshot(void) {
    lp_jw_t w;
    lp_jw_init(&w);
    uint32_t version = lp_view_snapshot(&w);
    if (version == 0) {
        lp_jw_free(&w);
        return NULL;
    }
    char *state = lp_jw_finish(&w);
    if (!state) {
        lp_log(LP_LOG_WARN, "snapshot: lp_view_snapshot wrote no single JSON value; no snapshot taken");
        return NULL;
    }
    lp_buf_t b = {0};
    lp_buf_printf(&b, "{\"v\":%u,\"state\":%s}", (unsigned)version, state);
    free(state);
    return lp_buf_take(&b);
}

int lp__restore(const char *text, size_t len) {
    lp_json_t *doc = lp_json_parse(text, len);
    if (!doc) return lp_error("invalid snapshot: not JSON");
    lp_jv root = lp_json_root(doc);
    int64_t v;
    lp_jv state = lp_jv_get(root, "state");
    int rc;
    if (lp_jv_type(root) != LP_JSON_OBJECT || lp_jv_len(root) != 2 || !lp_jv_int(lp_jv_get(root, "v"), &v) ||
        !lp_jv_ok(state)) {
        rc = lp_error("invalid snapshot: expected {\"v\":<version>,\"state\":<state>}");
    } else if (v < 1 || v > UINT32_MAX) {
        rc = lp_error("invalid snapshot: version %lld", (long long)v);
    } else {
        rc = lp_view_restore(state, (uint32_t)v) == LP_OK ? LP_OK : LP_ERROR;
    }
    lp_json_free(doc);
    return rc;
}
