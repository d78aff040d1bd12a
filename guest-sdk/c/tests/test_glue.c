/* The WIT glue, natively: the generated bindings compiled for the host machine, the host's
 * imports stood in by functions below, and the exports called through the same entry points
 * the host calls in wasm (__wasm_export_*) and then their cabi_post_* functions, under
 * AddressSanitizer: an argument not freed, a result freed twice or left to leak fails the run.
 *
 * The view here defines only render, handle_event and handle_info, so every other export
 * runs its default (handle_info's default is checked in test_render). */
#include "live_view.h"
#include "liveplug.h"
#include "check.h"

/* ---- The entry points the host calls (export names in wasm) ------------------------------- */

uint8_t *__wasm_export_exports_liveplug_view_describe_describe(void);
void __wasm_export_exports_liveplug_view_describe_describe_post_return(uint8_t *);
uint8_t *__wasm_export_exports_liveplug_view_params_handle_params(uint8_t *, size_t, uint8_t *, size_t);
void __wasm_export_exports_liveplug_view_params_handle_params_post_return(uint8_t *);
uint8_t *__wasm_export_exports_liveplug_view_info_handle_info(int32_t, uint8_t *, size_t, uint8_t *, size_t, uint8_t *,
                                                              size_t);
void __wasm_export_exports_liveplug_view_info_handle_info_post_return(uint8_t *);
void __wasm_export_exports_liveplug_view_components_components_destroyed(uint8_t *, size_t);
uint8_t *__wasm_export_exports_liveplug_view_snapshot_snapshot(void);
void __wasm_export_exports_liveplug_view_snapshot_snapshot_post_return(uint8_t *);
uint8_t *__wasm_export_exports_liveplug_view_snapshot_restore(uint8_t *, size_t);
void __wasm_export_exports_liveplug_view_snapshot_restore_post_return(uint8_t *);
uint8_t *__wasm_export_exports_liveplug_view_view_mount(uint8_t *, size_t, uint8_t *, size_t, int32_t, int32_t,
                                                         uint8_t *, size_t);
void __wasm_export_exports_liveplug_view_view_mount_post_return(uint8_t *);
uint8_t *__wasm_export_exports_liveplug_view_view_handle_event(uint8_t *, size_t, uint8_t *, size_t, int32_t,
                                                                int32_t);
void __wasm_export_exports_liveplug_view_view_handle_event_post_return(uint8_t *);
uint8_t *__wasm_export_exports_liveplug_view_view_render(void);
void __wasm_export_exports_liveplug_view_view_render_post_return(uint8_t *);

void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size); /* generated */

/* In wasm this symbol is in the object holding the component type; natively there is none. */
void __component_type_object_force_link_live_view(void) {}

/* The canonical ABI's flat results: fields at multiples of the pointer size. */
#define P sizeof(void *)
#define AT_U8(ret, off) (*(uint8_t *)((ret) + (off)))
#define AT_PTR(ret, off) (*(uint8_t **)((ret) + (off)))
#define AT_LEN(ret, off) (*(size_t *)((ret) + (off)))

/* A string as the host passes it: in memory it allocated with cabi_realloc, now ours. */
static uint8_t *arg(const char *s) {
    size_t n = strlen(s);
    if (n == 0) return (uint8_t *)1; /* cabi_realloc's answer for size 0 */
    uint8_t *p = cabi_realloc(NULL, 0, 1, n);
    memcpy(p, s, n);
    return p;
}
#define ARG(s) arg(s), strlen(s)

static char *copy(const uint8_t *p, size_t n) {
    char *s = malloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* ---- The host's imports, stood in ---------------------------------------------------------- */

static lp_buf_t calls; /* every import call, a line each */

static void record(const char *what, const uint8_t *p, size_t n) {
    lp_buf_printf(&calls, "%s %.*s\n", what, (int)n, (const char *)p);
}

void __wasm_import_liveplug_view_log_log(int32_t level, uint8_t *p, size_t n) {
    char what[16];
    snprintf(what, sizeof what, "log%d", level);
    record(what, p, n);
}
void __wasm_import_liveplug_view_page_set_title(uint8_t *p, size_t n) { record("title", p, n); }
void __wasm_import_liveplug_view_page_push_event(uint8_t *p, size_t n, uint8_t *q, size_t m, int32_t before) {
    record(before ? "event-before" : "event", p, n);
    record("payload", q, m);
}
void __wasm_import_liveplug_view_navigation_push_patch(uint8_t *p, size_t n, int32_t h) {
    record(h ? "patch-replace" : "patch", p, n);
}
void __wasm_import_liveplug_view_navigation_push_navigate(uint8_t *p, size_t n, int32_t h) {
    record(h ? "navigate-replace" : "navigate", p, n);
}
void __wasm_import_liveplug_view_navigation_redirect(int32_t tag, uint8_t *p, size_t n) {
    record(tag ? "redirect-external" : "redirect", p, n);
}
void __wasm_import_liveplug_view_flash_put(uint8_t *p, size_t n, uint8_t *q, size_t m) {
    record("flash-put", p, n);
    record("flash-message", q, m);
}
void __wasm_import_liveplug_view_flash_clear(int32_t some, uint8_t *p, size_t n) {
    if (some) record("flash-clear", p, n);
    else record("flash-clear-all", (const uint8_t *)"", 0);
}
/* A present value is written as the host writes it: memory from the guest's cabi_realloc. */
static void some_string(uint8_t *ret, const char *s) {
    AT_U8(ret, 0) = 1;
    AT_PTR(ret, P) = arg(s);
    AT_LEN(ret, 2 * P) = strlen(s);
}
void __wasm_import_liveplug_view_flash_get(uint8_t *p, size_t n, uint8_t *ret) {
    record("flash-get", p, n);
    if (n == 4 && memcmp(p, "info", 4) == 0) some_string(ret, "Saved");
    else if (n == 5 && memcmp(p, "empty", 5) == 0) some_string(ret, "");
    else AT_U8(ret, 0) = 0;
}
void __wasm_import_liveplug_view_flash_all(uint8_t *ret) {
    live_view_tuple2_string_string_t *v = cabi_realloc(NULL, 0, P, 2 * sizeof *v);
    v[0].f0.ptr = arg("error");
    v[0].f0.len = 5;
    v[0].f1.ptr = arg("Oops");
    v[0].f1.len = 4;
    v[1].f0.ptr = arg("info");
    v[1].f0.len = 4;
    v[1].f1.ptr = arg("");
    v[1].f1.len = 0;
    AT_PTR(ret, 0) = (uint8_t *)v;
    AT_LEN(ret, P) = 2;
}
void __wasm_import_liveplug_view_keyvalue_get(uint8_t *p, size_t n, uint8_t *ret) {
    record("kv-get", p, n);
    if (n == 1 && p[0] == 'k') some_string(ret, "v");
    else AT_U8(ret, 0) = 0;
}
void __wasm_import_liveplug_view_keyvalue_set(uint8_t *p, size_t n, uint8_t *q, size_t m, uint8_t *ret) {
    record("kv-set", p, n);
    record("kv-value", q, m);
    if (m > 3) some_string(ret, "value too large"); /* result::err, same layout */
    else AT_U8(ret, 0) = 0;
}
int32_t __wasm_import_liveplug_view_keyvalue_delete(uint8_t *p, size_t n) {
    record("kv-delete", p, n);
    return n == 1;
}
void __wasm_import_liveplug_view_keyvalue_keys(uint8_t *p, size_t n, uint8_t *ret) {
    record("kv-keys", p, n);
    live_view_string_t *v = cabi_realloc(NULL, 0, P, 2 * sizeof *v);
    v[0].ptr = arg("a/1");
    v[0].len = 3;
    v[1].ptr = arg("a/2");
    v[1].len = 3;
    AT_PTR(ret, 0) = (uint8_t *)v;
    AT_LEN(ret, P) = 2;
}

/* result<_, string> and result<u64, string>, as the host writes them. */
static void ok_void(uint8_t *ret) { AT_U8(ret, 0) = 0; }
static void err_string(uint8_t *ret, const char *why) { some_string(ret, why); } /* tag 1, same layout */
static void ok_u64(uint8_t *ret, uint64_t id) {
    AT_U8(ret, 0) = 0;
    *(uint64_t *)(ret + 8) = id;
}
static void err_u64(uint8_t *ret, const char *why) {
    AT_U8(ret, 0) = 1;
    AT_PTR(ret, 8) = arg(why);
    AT_LEN(ret, 8 + P) = strlen(why);
}
static bool is(const uint8_t *p, size_t n, const char *s) { return n == strlen(s) && memcmp(p, s, n) == 0; }

void __wasm_import_liveplug_view_pubsub_subscribe(uint8_t *p, size_t n, uint8_t *ret) {
    record("subscribe", p, n);
    if (n == 0) err_string(ret, "a topic is 1 to 256 bytes, got 0");
    else ok_void(ret);
}
void __wasm_import_liveplug_view_pubsub_unsubscribe(uint8_t *p, size_t n) { record("unsubscribe", p, n); }
void __wasm_import_liveplug_view_pubsub_broadcast(uint8_t *p, size_t n, uint8_t *q, size_t m, int32_t excl,
                                                  uint8_t *ret) {
    record(excl ? "broadcast-others" : "broadcast", p, n);
    record("payload", q, m);
    if (is(q, m, "nope")) err_string(ret, "a payload is JSON");
    else ok_void(ret);
}
void __wasm_import_liveplug_view_timers_send_self(uint8_t *p, size_t n, uint8_t *ret) {
    record("send-self", p, n);
    if (is(p, n, "nope")) err_string(ret, "");
    else ok_void(ret);
}
void __wasm_import_liveplug_view_timers_send_after(uint8_t *p, size_t n, int32_t ms, uint8_t *ret) {
    char what[32];
    snprintf(what, sizeof what, "send-after %u", (unsigned)ms);
    record(what, p, n);
    if (ms == 0) err_u64(ret, "no timers left");
    else ok_u64(ret, 0xfedcba9876543210u); /* every bit of a u64 crosses */
}
void __wasm_import_liveplug_view_timers_interval(uint8_t *p, size_t n, int32_t ms, uint8_t *ret) {
    char what[32];
    snprintf(what, sizeof what, "interval %u", (unsigned)ms);
    record(what, p, n);
    if ((uint32_t)ms < 10) err_u64(ret, "an interval is at least 10 ms");
    else ok_u64(ret, 7);
}
void __wasm_import_liveplug_view_timers_cancel(int64_t id) {
    lp_buf_printf(&calls, "cancel %llu\n", (unsigned long long)(uint64_t)id);
}
void __wasm_import_liveplug_view_presence_track(uint8_t *p, size_t n, uint8_t *q, size_t m, uint8_t *r, size_t k,
                                                uint8_t *ret) {
    record("track", p, n);
    record("key", q, m);
    record("meta", r, k);
    if (is(r, k, "[]")) err_string(ret, "a presence meta is a JSON object");
    else ok_void(ret);
}
void __wasm_import_liveplug_view_presence_untrack(uint8_t *p, size_t n, uint8_t *q, size_t m) {
    record("untrack", p, n);
    record("key", q, m);
}
void __wasm_import_liveplug_view_presence_list(uint8_t *p, size_t n, uint8_t *ret) {
    record("list", p, n);
    const char *list = n == 0 ? "" : "{\"al\":{\"metas\":[{\"phx_ref\":\"F1\"}]}}";
    AT_PTR(ret, 0) = arg(list);
    AT_LEN(ret, P) = strlen(list);
}

static char *take_calls(void) { return lp_buf_take(&calls); }

/* ---- The view ------------------------------------------------------------------------------ */

static LP_TEMPLATE(page_t, "<main", ">", "<ul>", "</ul>", "", "", "", "</main>");
static LP_TEMPLATE(li_t, "<li>", "</li>");
static LP_TEMPLATE(msg_t, "<p id=\"m-", "\">", "</p>");
static LP_TEMPLATE(comp_t, "<div id=\"c\">", "</div>");
static int renders;

lp_node lp_view_render(lp_render_t *r) {
    renders++;
    lp_node attrs = lp_attrs(r);
    lp_attr(r, attrs, "class", "x");
    lp_attr(r, attrs, "hidden", NULL);
    lp_node list = lp_keyed(r, &li_t);
    lp_item(r, list, "a", lp_text(r, "A"));
    lp_item(r, list, NULL, lp_text(r, ""));
    lp_item_unchanged(r, list, "c");
    lp_node s = lp_stream(r, "msgs", &msg_t, true);
    lp_stream_insert(r, s, "m-1", LP_AT_INDEX, 2, LP_LIMIT_LAST, 10, false, lp_int(r, 1), lp_text(r, "hi"));
    lp_stream_insert(r, s, "m-2", LP_AT_PREPEND, 0, LP_LIMIT_NONE, 0, true, lp_int(r, 2), lp_text(r, "yo"));
    lp_stream_delete(r, s, "m-0");
    lp_component_root(r, 7, lp_tree(r, &comp_t, lp_text(r, "inside")));
    return lp_tree(r, &page_t, attrs, lp_raw(r, "<b>raw</b>"), list, s, lp_component(r, 7),
                   renders > 1 ? lp_unchanged(r) : lp_text(r, "first"), lp_attrs(r));
}

int lp_view_handle_event(lp_event_t *ev) {
    if (lp_event_is(ev, "caps")) {
        lp_title("T");
        lp_log(LP_LOG_WARN, "n=%d", 3);
        lp_push_event("scroll", NULL, false);
        lp_push_event("focus", "{\"id\":1}", true);
        lp_push_patch("/p?x=1", false);
        lp_push_navigate("/n", true);
        lp_redirect("/login");
        lp_redirect_external("https://example.com/");
        lp_flash_put("info", "Saved");
        char *f = lp_flash_get("info");
        CHECK_STR(f, "Saved");
        free(f);
        f = lp_flash_get("empty");
        CHECK_STR(f, "");
        free(f);
        CHECK(lp_flash_get("none") == NULL);
        lp_pair_t *all;
        size_t n = lp_flash_all(&all);
        CHECK(n == 2);
        if (n == 2) {
            CHECK_STR(all[0].key, "error");
            CHECK_STR(all[0].value, "Oops");
            CHECK_STR(all[1].key, "info");
            CHECK_STR(all[1].value, "");
        }
        lp_pairs_free(all, n);
        lp_flash_clear("info");
        lp_flash_clear(NULL);
        char *v = lp_kv_get("k");
        CHECK_STR(v, "v");
        free(v);
        CHECK(lp_kv_get("other") == NULL);
        char *err = NULL;
        CHECK(lp_kv_set("k", "abc", &err) && err == NULL);
        CHECK(!lp_kv_set("k", "abcd", &err));
        CHECK_STR(err, "value too large");
        free(err);
        CHECK(!lp_kv_set("k", "abcd", NULL));
        CHECK(lp_kv_delete("k"));
        CHECK(!lp_kv_delete("kk"));
        char **keys;
        n = lp_kv_keys("a/", &keys);
        CHECK(n == 2 && strcmp(keys[0], "a/1") == 0 && strcmp(keys[1], "a/2") == 0);
        lp_strings_free(keys, n);
        return LP_OK;
    }
    if (lp_event_is(ev, "realtime")) {
        char *err = (char *)1;
        CHECK(lp_subscribe("room:a", &err) && err == NULL);
        CHECK(!lp_subscribe("", &err));
        CHECK_STR(err, "a topic is 1 to 256 bytes, got 0");
        free(err);
        CHECK(!lp_subscribe("", NULL));
        lp_unsubscribe("room:a");
        lp_unsubscribe(NULL);
        CHECK(lp_broadcast("room:a", "{\"x\":1}", false, &err) && err == NULL);
        CHECK(lp_broadcast("room:a", NULL, true, NULL));
        CHECK(!lp_broadcast("room:a", "nope", false, &err));
        CHECK_STR(err, "a payload is JSON");
        free(err);
        CHECK(lp_send_self("{\"n\":1}", &err) && err == NULL);
        CHECK(!lp_send_self("nope", &err));
        CHECK_STR(err, ""); /* an empty reason is still a reason */
        free(err);
        uint64_t id = 1;
        CHECK(lp_send_after("{\"note\":\"x\"}", 1500, &id, &err) && err == NULL);
        CHECK(id == 0xfedcba9876543210u);
        CHECK(!lp_send_after("{}", 0, &id, &err) && id == 0);
        CHECK_STR(err, "no timers left");
        free(err);
        CHECK(lp_send_after("{}", 1, NULL, NULL));
        CHECK(lp_interval("{\"tick\":true}", 10, &id, NULL) && id == 7);
        id = 1;
        CHECK(!lp_interval("{}", 9, &id, &err) && id == 0);
        CHECK_STR(err, "an interval is at least 10 ms");
        free(err);
        lp_cancel(7);
        lp_cancel(UINT64_MAX);
        CHECK(lp_track("room:a", "al", "{\"name\":\"al\"}", &err) && err == NULL);
        CHECK(lp_track("room:a", "al", NULL, NULL));
        CHECK(!lp_track("room:a", "al", "[]", &err));
        CHECK_STR(err, "a presence meta is a JSON object");
        free(err);
        lp_untrack("room:a", "al");
        CHECK_OWNED(lp_presence_list("room:a"), "{\"al\":{\"metas\":[{\"phx_ref\":\"F1\"}]}}");
        CHECK_OWNED(lp_presence_list(""), "");
        return LP_OK;
    }
    if (lp_event_is(ev, "echo")) {
        CHECK(ev->has_target && ev->target == 9);
        size_t len;
        lp_reply(ev, lp_jv_raw(lp_jv_get(ev->value, "x"), &len) ? "{\"ok\":true}" : "null");
        return LP_OK;
    }
    if (lp_event_is(ev, "")) {
        CHECK(!ev->has_target);
        CHECK(lp_jv_is_null(ev->value)); /* an empty value is null */
        return LP_OK;
    }
    return lp_unknown_event(ev);
}

static char *info_seen;

/* "<kind> [topic] <field>=<text>|<parsed>..." */
int lp_view_handle_info(const lp_message_t *m) {
    static const char *kinds[] = {"sent", "broadcast", "presence"};
    lp_buf_t b = {0};
    lp_buf_puts(&b, kinds[m->kind]);
    if (m->topic) lp_buf_printf(&b, " [%s]", m->topic);
    const char *names[] = {"payload", "joins", "leaves"};
    const char *texts[] = {m->payload_json, m->joins_json, m->leaves_json};
    lp_jv values[] = {m->payload, m->joins, m->leaves};
    for (int i = 0; i < 3; i++) {
        CHECK(!texts[i] == !lp_jv_ok(values[i]));
        if (!texts[i]) continue;
        size_t n;
        const char *raw = lp_jv_raw(values[i], &n);
        lp_buf_printf(&b, " %s=%s|%.*s", names[i], texts[i], (int)n, raw);
    }
    free(info_seen);
    info_seen = lp_buf_take(&b);
    if (lp_jv_ok(lp_jv_get(m->payload, "fail"))) return lp_error("failed on %s", kinds[m->kind]);
    return LP_OK;
}

/* ---- Tests --------------------------------------------------------------------------------- */

static void optional_exports_have_their_defaults(void) {
    uint8_t *ret = __wasm_export_exports_liveplug_view_describe_describe();
    CHECK(AT_LEN(ret, P) == 0);   /* no routes */
    CHECK(AT_U8(ret, 2 * P) == 0); /* default live session */
    __wasm_export_exports_liveplug_view_describe_describe_post_return(ret);

    ret = __wasm_export_exports_liveplug_view_view_mount(ARG("{\"id\":\"1\"}"), ARG("{}"), 0, 0, NULL, 0);
    CHECK(AT_U8(ret, 0) == 0);
    __wasm_export_exports_liveplug_view_view_mount_post_return(ret);
    ret = __wasm_export_exports_liveplug_view_view_mount(ARG("{}"), ARG(""), 1, 1, ARG("{\"_csrf\":\"x\"}"));
    CHECK(AT_U8(ret, 0) == 0);
    __wasm_export_exports_liveplug_view_view_mount_post_return(ret);
    ret = __wasm_export_exports_liveplug_view_view_mount(ARG("{}"), ARG("{}"), 1, 1, ARG(""));
    CHECK(AT_U8(ret, 0) == 0);
    __wasm_export_exports_liveplug_view_view_mount_post_return(ret);

    ret = __wasm_export_exports_liveplug_view_params_handle_params(ARG("http://h/p?a=1"), ARG("{\"a\":\"1\"}"));
    CHECK(AT_U8(ret, 0) == 0);
    __wasm_export_exports_liveplug_view_params_handle_params_post_return(ret);

    uint32_t *ids = cabi_realloc(NULL, 0, 4, 2 * sizeof *ids);
    ids[0] = 1;
    ids[1] = 2;
    __wasm_export_exports_liveplug_view_components_components_destroyed((uint8_t *)ids, 2);

    ret = __wasm_export_exports_liveplug_view_snapshot_snapshot();
    CHECK(AT_U8(ret, 0) == 0); /* none: sessions never hibernate */
    __wasm_export_exports_liveplug_view_snapshot_snapshot_post_return(ret);

    ret = __wasm_export_exports_liveplug_view_snapshot_restore(ARG("{\"v\":1,\"state\":{}}"));
    CHECK(AT_U8(ret, 0) == 1);
    char *msg = copy(AT_PTR(ret, P), AT_LEN(ret, 2 * P));
    CHECK_STR(msg, "this view does not restore snapshots");
    free(msg);
    __wasm_export_exports_liveplug_view_snapshot_restore_post_return(ret);

}

/* handle-info's flat arguments: the tag, then up to three strings (unused ones are zero). */
static uint8_t *info(int32_t tag, const char *a, const char *b, const char *c) {
    return __wasm_export_exports_liveplug_view_info_handle_info(tag, a ? arg(a) : NULL, a ? strlen(a) : 0,
                                                                b ? arg(b) : NULL, b ? strlen(b) : 0,
                                                                c ? arg(c) : NULL, c ? strlen(c) : 0);
}

/* The result of handle-info: NULL for ok, else the view-error's message (malloc'd). */
static char *info_result(uint8_t *ret) {
    char *msg = AT_U8(ret, 0) == 1 ? copy(AT_PTR(ret, P), AT_LEN(ret, 2 * P)) : NULL;
    __wasm_export_exports_liveplug_view_info_handle_info_post_return(ret);
    return msg;
}

static void handle_info_receives_each_message_kind(void) {
    CHECK(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_SENT, "{\"tick\":true}", NULL, NULL)) == NULL);
    CHECK_STR(info_seen, "sent payload={\"tick\":true}|{\"tick\":true}");
    CHECK(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_SENT, "", NULL, NULL)) == NULL);
    CHECK_STR(info_seen, "sent payload=null|null"); /* empty JSON is null */
    CHECK(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_BROADCAST, "room:a", "{\"from\":\"b\"}", NULL)) == NULL);
    CHECK_STR(info_seen, "broadcast [room:a] payload={\"from\":\"b\"}|{\"from\":\"b\"}");
    CHECK(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_BROADCAST, "", "[1, 2]", NULL)) == NULL);
    CHECK_STR(info_seen, "broadcast [] payload=[1, 2]|[1, 2]");
    CHECK(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_PRESENCE, "room:a",
                           "{\"al\":{\"metas\":[{\"phx_ref\":\"F1\"}]}}", "{}")) == NULL);
    CHECK_STR(info_seen, "presence [room:a] joins={\"al\":{\"metas\":[{\"phx_ref\":\"F1\"}]}}|"
                         "{\"al\":{\"metas\":[{\"phx_ref\":\"F1\"}]}} leaves={}|{}");

    /* The view's error, and JSON the SDK cannot read, reach the host as view-errors. */
    CHECK_OWNED(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_SENT, "{\"fail\":1}", NULL, NULL)), "failed on sent");
    CHECK_OWNED(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_BROADCAST, "t", "{\"fail\":1}", NULL)),
                "failed on broadcast");
    CHECK_OWNED(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_SENT, "{oops", NULL, NULL)),
                "invalid JSON in the sent message");
    CHECK_OWNED(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_BROADCAST, "t", "[1,]", NULL)),
                "invalid JSON in the broadcast payload");
    CHECK_OWNED(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_PRESENCE, "t", "{", "{}")),
                "invalid JSON in the presence joins");
    CHECK_OWNED(info_result(info(LIVEPLUG_VIEW_TYPES_MESSAGE_PRESENCE, "t", "{}", "nul")),
                "invalid JSON in the presence leaves");
}

static void realtime_capabilities_reach_the_imports(void) {
    free(take_calls());
    uint8_t *ret = __wasm_export_exports_liveplug_view_view_handle_event(ARG("realtime"), ARG("{}"), 0, 0);
    CHECK(AT_U8(ret, 0) == 0);
    __wasm_export_exports_liveplug_view_view_handle_event_post_return(ret);
    CHECK_OWNED(take_calls(),
                "subscribe room:a\nsubscribe \nsubscribe \n"
                "unsubscribe room:a\nunsubscribe \n"
                "broadcast room:a\npayload {\"x\":1}\n"
                "broadcast-others room:a\npayload {}\n"
                "broadcast room:a\npayload nope\n"
                "send-self {\"n\":1}\nsend-self nope\n"
                "send-after 1500 {\"note\":\"x\"}\nsend-after 0 {}\nsend-after 1 {}\n"
                "interval 10 {\"tick\":true}\ninterval 9 {}\n"
                "cancel 7\ncancel 18446744073709551615\n"
                "track room:a\nkey al\nmeta {\"name\":\"al\"}\n"
                "track room:a\nkey al\nmeta {}\n"
                "track room:a\nkey al\nmeta []\n"
                "untrack room:a\nkey al\n"
                "list room:a\nlist \n");
}

static void events_reply_fail_and_free_their_arguments(void) {
    uint8_t *ret = __wasm_export_exports_liveplug_view_view_handle_event(ARG("echo"), ARG("{\"x\":[1]}"), 1, 9);
    CHECK(AT_U8(ret, 0) == 0);     /* ok */
    CHECK(AT_U8(ret, P) == 1);     /* some reply */
    char *reply = copy(AT_PTR(ret, 2 * P), AT_LEN(ret, 3 * P));
    CHECK_STR(reply, "{\"ok\":true}");
    free(reply);
    __wasm_export_exports_liveplug_view_view_handle_event_post_return(ret);

    ret = __wasm_export_exports_liveplug_view_view_handle_event(ARG(""), ARG(""), 0, 0);
    CHECK(AT_U8(ret, 0) == 0);
    CHECK(AT_U8(ret, P) == 0); /* no reply */
    __wasm_export_exports_liveplug_view_view_handle_event_post_return(ret);

    ret = __wasm_export_exports_liveplug_view_view_handle_event(ARG("nope"), ARG("{}"), 0, 0);
    CHECK(AT_U8(ret, 0) == 1);
    char *msg = copy(AT_PTR(ret, P), AT_LEN(ret, 2 * P));
    CHECK_STR(msg, "unknown event \"nope\"");
    free(msg);
    __wasm_export_exports_liveplug_view_view_handle_event_post_return(ret);

    ret = __wasm_export_exports_liveplug_view_view_handle_event(ARG("echo"), ARG("[1,"), 0, 0);
    CHECK(AT_U8(ret, 0) == 1);
    msg = copy(AT_PTR(ret, P), AT_LEN(ret, 2 * P));
    CHECK_STR(msg, "invalid JSON in the event value");
    free(msg);
    __wasm_export_exports_liveplug_view_view_handle_event_post_return(ret);
}

static void capabilities_reach_the_imports(void) {
    free(take_calls());
    uint8_t *ret = __wasm_export_exports_liveplug_view_view_handle_event(ARG("caps"), ARG("{}"), 0, 0);
    CHECK(AT_U8(ret, 0) == 0);
    __wasm_export_exports_liveplug_view_view_handle_event_post_return(ret);
    CHECK_OWNED(take_calls(),
                "title T\n"
                "log3 n=3\n"
                "event scroll\npayload {}\n"
                "event-before focus\npayload {\"id\":1}\n"
                "patch /p?x=1\n"
                "navigate-replace /n\n"
                "redirect /login\n"
                "redirect-external https://example.com/\n"
                "flash-put info\nflash-message Saved\n"
                "flash-get info\nflash-get empty\nflash-get none\n"
                "flash-clear info\nflash-clear-all \n"
                "kv-get k\nkv-get other\n"
                "kv-set k\nkv-value abc\nkv-set k\nkv-value abcd\nkv-set k\nkv-value abcd\n"
                "kv-delete k\nkv-delete kk\n"
                "kv-keys a/\n");
}

static char *str_of(const live_view_string_t *s) { return copy(s->ptr, s->len); }

static void render_converts_every_node_kind(void) {
    exports_liveplug_view_view_parts_t parts;
    exports_liveplug_view_view_render(&parts);

    /* Templates, in first-use order, with their statics. */
    CHECK(parts.new_templates.len == 4);
    for (size_t i = 0; i < parts.new_templates.len; i++) CHECK(parts.new_templates.ptr[i].id >= 1);
    liveplug_view_parts_template_t *li = NULL, *page = NULL;
    for (size_t i = 0; i < parts.new_templates.len; i++) {
        if (parts.new_templates.ptr[i].statics.len == 2 && parts.new_templates.ptr[i].statics.ptr[0].len == 4)
            li = &parts.new_templates.ptr[i];
        if (parts.new_templates.ptr[i].statics.len == 8) page = &parts.new_templates.ptr[i];
    }
    CHECK(li && page);
    if (page) {
        /* An empty static crosses as an empty string that owns nothing. */
        CHECK(page->statics.ptr[4].len == 0 && page->statics.ptr[4].ptr == NULL);
        char *s = str_of(&page->statics.ptr[0]);
        CHECK_STR(s, "<main");
        free(s);
    }

    liveplug_view_parts_node_t *root = &parts.nodes.ptr[parts.root];
    CHECK(root->tag == LIVEPLUG_VIEW_PARTS_NODE_TREE);
    CHECK(page && root->val.tree.template_ == page->id);
    CHECK(root->val.tree.slots.len == 7);
    uint32_t *slot = root->val.tree.slots.ptr;

    liveplug_view_parts_node_t *attrs = &parts.nodes.ptr[slot[0]];
    CHECK(attrs->tag == LIVEPLUG_VIEW_PARTS_NODE_ATTRIBUTES && attrs->val.attributes.len == 2);
    CHECK(attrs->val.attributes.ptr[0].value.is_some && !attrs->val.attributes.ptr[1].value.is_some);
    char *s = str_of(&attrs->val.attributes.ptr[1].name);
    CHECK_STR(s, "hidden");
    free(s);

    CHECK(parts.nodes.ptr[slot[1]].tag == LIVEPLUG_VIEW_PARTS_NODE_RAW);

    liveplug_view_parts_node_t *list = &parts.nodes.ptr[slot[2]];
    CHECK(list->tag == LIVEPLUG_VIEW_PARTS_NODE_KEYED && list->val.keyed.items.len == 3);
    CHECK(li && list->val.keyed.template_ == li->id);
    liveplug_view_parts_item_t *items = list->val.keyed.items.ptr;
    CHECK(items[0].key.is_some && items[0].slots.is_some && items[0].slots.val.len == 1);
    CHECK(!items[1].key.is_some && items[1].slots.is_some);
    CHECK(parts.nodes.ptr[items[1].slots.val.ptr[0]].tag == LIVEPLUG_VIEW_PARTS_NODE_TEXT);
    CHECK(parts.nodes.ptr[items[1].slots.val.ptr[0]].val.text.len == 0);
    CHECK(items[2].key.is_some && !items[2].slots.is_some);

    liveplug_view_parts_node_t *st = &parts.nodes.ptr[slot[3]];
    CHECK(st->tag == LIVEPLUG_VIEW_PARTS_NODE_STREAM);
    CHECK(st->val.stream.reset && st->val.stream.inserts.len == 2 && st->val.stream.deletes.len == 1);
    liveplug_view_parts_stream_insert_t *in = st->val.stream.inserts.ptr;
    CHECK(in[0].at.tag == LIVEPLUG_VIEW_PARTS_STREAM_POSITION_INDEX && in[0].at.val.index == 2);
    CHECK(in[0].limit.is_some && in[0].limit.val.tag == LIVEPLUG_VIEW_PARTS_STREAM_LIMIT_LAST &&
          in[0].limit.val.val.last == 10);
    CHECK(!in[0].update_only && in[1].update_only && !in[1].limit.is_some);
    CHECK(in[1].at.tag == LIVEPLUG_VIEW_PARTS_STREAM_POSITION_PREPEND);
    s = str_of(&in[1].dom_id);
    CHECK_STR(s, "m-2");
    free(s);

    CHECK(parts.nodes.ptr[slot[4]].tag == LIVEPLUG_VIEW_PARTS_NODE_COMPONENT);
    CHECK(parts.nodes.ptr[slot[4]].val.component == 7);
    CHECK(parts.components.len == 1 && parts.components.ptr[0].id == 7);
    CHECK(parts.nodes.ptr[parts.components.ptr[0].root].tag == LIVEPLUG_VIEW_PARTS_NODE_TREE);
    CHECK(parts.nodes.ptr[slot[5]].tag == LIVEPLUG_VIEW_PARTS_NODE_TEXT);
    /* An empty attribute list owns nothing. */
    CHECK(parts.nodes.ptr[slot[6]].tag == LIVEPLUG_VIEW_PARTS_NODE_ATTRIBUTES);
    CHECK(parts.nodes.ptr[slot[6]].val.attributes.ptr == NULL);
    exports_liveplug_view_view_parts_free(&parts);

    /* The second render sends no statics again; through the host's entry point and its
     * post-return, which must free exactly what the render allocated. */
    uint8_t *ret = __wasm_export_exports_liveplug_view_view_render();
    CHECK(AT_LEN(ret, P) == 0);       /* new-templates */
    CHECK(AT_LEN(ret, 3 * P) == 16);  /* nodes */
    CHECK(AT_LEN(ret, 6 * P) == 1);   /* components */
    __wasm_export_exports_liveplug_view_view_render_post_return(ret);
}

int main(void) {
    RUN(optional_exports_have_their_defaults);
    RUN(events_reply_fail_and_free_their_arguments);
    RUN(capabilities_reach_the_imports);
    RUN(handle_info_receives_each_message_kind);
    RUN(realtime_capabilities_reach_the_imports);
    RUN(render_converts_every_node_kind);
    lp_buf_free(&calls);
    free(info_seen);
    CHECK_DONE();
}
