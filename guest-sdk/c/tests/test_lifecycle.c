/* The lifecycle over the native driver: JSON in, handlers called, errors out, the snapshot
 * envelope, and the stand-in host. */
#include "core.h"
#include "check.h"

static char *seen; /* what the last handler saw */
static uint32_t snapshot_version = 1;
static bool snapshot_bad;
static int64_t counter;

static void saw(const char *fmt, const char *a, const char *b) {
    free(seen);
    lp_buf_t buf = {0};
    lp_buf_printf(&buf, fmt, a, b);
    seen = lp_buf_take(&buf);
}

static char *raw(lp_jv v) {
    size_t n;
    const char *s = lp_jv_raw(v, &n);
    lp_buf_t b = {0};
    if (s) lp_buf_append(&b, s, n);
    else lp_buf_puts(&b, "(missing)");
    return lp_buf_take(&b);
}

int lp_view_mount(const lp_mount_t *m) {
    char *p = raw(m->params), *s = raw(m->session), *c = raw(m->connect_params);
    lp_buf_t b = {0};
    lp_buf_printf(&b, "mount %s %s %s %s", p, s, m->connected ? "connected" : "dead", c);
    free(seen);
    seen = lp_buf_take(&b);
    free(p);
    free(s);
    free(c);
    if (lp_jv_str_eq(lp_jv_get(m->params, "fail"), "yes")) return lp_error("refused %d", 42);
    if (lp_jv_str_eq(lp_jv_get(m->params, "fail"), "silently")) return LP_ERROR;
    return LP_OK;
}

int lp_view_handle_params(const char *url, lp_jv params) {
    char *p = raw(params);
    saw("params %s %s", url, p);
    free(p);
    return LP_OK;
}

/* "sent|broadcast|presence topic=<topic> <json text> <parsed, re-read>" for each field. */
int lp_view_handle_info(const lp_message_t *m) {
    static const char *kinds[] = {"sent", "broadcast", "presence"};
    lp_buf_t b = {0};
    lp_buf_printf(&b, "%s", kinds[m->kind]);
    if (m->topic) lp_buf_printf(&b, " topic=%s", m->topic);
    else lp_buf_puts(&b, " no-topic");
    const char *names[] = {"payload", "joins", "leaves"};
    const char *texts[] = {m->payload_json, m->joins_json, m->leaves_json};
    lp_jv values[] = {m->payload, m->joins, m->leaves};
    for (int i = 0; i < 3; i++) {
        CHECK(!texts[i] == !lp_jv_ok(values[i])); /* text and value come together */
        if (!texts[i]) continue;
        char *v = raw(values[i]);
        lp_buf_printf(&b, " %s=%s|%s", names[i], texts[i], v);
        free(v);
    }
    free(seen);
    seen = lp_buf_take(&b);
    return lp_jv_ok(lp_jv_get(m->payload, "stop")) || lp_jv_ok(lp_jv_get(m->joins, "stop")) ? lp_error("stopped")
                                                                                             : LP_OK;
}

int lp_view_handle_event(lp_event_t *ev) {
    if (lp_event_is(ev, "add")) {
        int64_t by = 1;
        lp_jv_int_str(lp_jv_get(ev->value, "by"), &by);
        counter += by;
        lp_titlef("Count: %lld", (long long)counter);
        return LP_OK;
    }
    if (lp_event_is(ev, "ask")) {
        lp_jw_t w;
        lp_jw_init(&w);
        lp_jw_object_begin(&w);
        lp_jw_key(&w, "count");
        lp_jw_int(&w, counter);
        lp_jw_object_end(&w);
        char *reply = lp_jw_finish(&w);
        lp_reply(ev, reply);
        free(reply);
        return LP_OK;
    }
    if (lp_event_is(ev, "go")) {
        lp_push_navigate("/other", true);
        lp_flash_put("info", "Bye");
        lp_flash_put("error", "Oops");
        lp_flash_clear("error");
        lp_kv_set("b", "2", NULL);
        lp_kv_set("a", "1", NULL);
        lp_push_event("confetti", "{\"n\":3}", false);
        lp_log(LP_LOG_INFO, "went %s", "away");
        return LP_OK;
    }
    if (lp_event_is(ev, "fail-after-reply")) {
        lp_reply(ev, "{}");
        return lp_error("no");
    }
    return lp_unknown_event(ev);
}

static LP_TEMPLATE(page_t, "<p>", "</p>");
static LP_TEMPLATE(two_t, "<p>", "", "</p>");
static bool reuse_node;

lp_node lp_view_render(lp_render_t *r) {
    lp_node n = lp_int(r, counter);
    if (reuse_node) return lp_tree(r, &two_t, n, n);
    return lp_tree(r, &page_t, n);
}

uint32_t lp_view_snapshot(lp_jw_t *w) {
    if (snapshot_version == 0) return 0;
    lp_jw_object_begin(w);
    lp_jw_key(w, "count");
    lp_jw_int(w, counter);
    lp_jw_object_end(w);
    if (snapshot_bad) lp_jw_int(w, 1); /* a second value */
    return snapshot_version;
}

int lp_view_restore(lp_jv state, uint32_t version) {
    int64_t n;
    if (version == 1 && lp_jv_int(lp_jv_get(state, "count"), &n)) {
        counter = n;
        return LP_OK;
    }
    if (version == 2 && lp_jv_int(lp_jv_at(lp_jv_get(state, "history"), 0), &n)) { /* a migration */
        counter = n;
        return LP_OK;
    }
    return lp_error("cannot restore version %u", version);
}

void lp_view_describe(lp_describe_t *d) {
    lp_route(d, "/items");
    lp_route(d, "/items/:id");
    lp_live_session(d, "shop");
    lp_live_session(d, "admin"); /* the last one counts */
}

/* ---- Tests ---- */

static void describe_collects_routes_and_the_live_session(void) {
    lp_describe_t d = {0};
    lp_view_describe(&d);
    CHECK(d.n == 2);
    CHECK_STR(d.routes[0], "/items");
    CHECK_STR(d.routes[1], "/items/:id");
    CHECK_STR(d.live_session, "admin");
    lp__describe_free(&d);
    CHECK(d.n == 0 && d.routes == NULL);
}

static void mount_parses_params_session_and_connect_params(void) {
    lp_test_reset();
    CHECK(lp_test_mount("{\"id\":\"7\",\"q\":[1,2]}") == LP_OK);
    CHECK_STR(seen, "mount {\"id\":\"7\",\"q\":[1,2]} {} connected {}");
    CHECK(lp_test_mount(NULL) == LP_OK);
    CHECK_STR(seen, "mount {} {} connected {}");

    CHECK(lp_test_mount("{\"fail\":\"yes\"}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "refused 42");
    CHECK(lp_test_mount("{\"fail\":\"silently\"}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "the view failed without a message");
    CHECK(lp_test_mount("{\"id\":") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "invalid JSON in the mount params");
}

static void params_and_info_reach_their_handlers(void) {
    CHECK(lp_test_params("http://localhost/items?page=2", "{\"page\":\"2\"}") == LP_OK);
    CHECK_STR(seen, "params http://localhost/items?page=2 {\"page\":\"2\"}");
    CHECK(lp_test_params("http://localhost/", "") == LP_OK); /* empty JSON is null */
    CHECK_STR(seen, "params http://localhost/ null");
    CHECK(lp_test_params("http://localhost/", "{]") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "invalid JSON in the URL params");
}

static void info_dispatches_each_message_kind(void) {
    CHECK(lp_test_info_sent("[\"tick\",3]") == LP_OK);
    CHECK_STR(seen, "sent no-topic payload=[\"tick\",3]|[\"tick\",3]");
    CHECK(lp_test_info_sent("") == LP_OK); /* empty JSON is null */
    CHECK_STR(seen, "sent no-topic payload=null|null");
    CHECK(lp_test_info_broadcast("room:a", " {\"from\":\"b\\u00e9\"} ") == LP_OK);
    CHECK_STR(seen, "broadcast topic=room:a payload= {\"from\":\"b\\u00e9\"} |{\"from\":\"b\\u00e9\"}");
    CHECK(lp_test_info_broadcast("", "1") == LP_OK);
    CHECK_STR(seen, "broadcast topic= payload=1|1");
    CHECK(lp_test_info_presence("room:a", "{\"al\":{\"metas\":[{\"phx_ref\":\"1\"}]}}", "{}") == LP_OK);
    CHECK_STR(seen, "presence topic=room:a joins={\"al\":{\"metas\":[{\"phx_ref\":\"1\"}]}}|"
                    "{\"al\":{\"metas\":[{\"phx_ref\":\"1\"}]}} leaves={}|{}");

    /* The handler's error, and JSON the SDK cannot read, are view-errors. */
    CHECK(lp_test_info_sent("{\"stop\":true}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "stopped");
    CHECK(lp_test_info_presence("t", "{\"stop\":1}", "{}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "stopped");
    free(seen);
    seen = NULL;
    CHECK(lp_test_info_sent("{oops") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "invalid JSON in the sent message");
    CHECK(lp_test_info_broadcast("t", "[1,]") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "invalid JSON in the broadcast payload");
    CHECK(lp_test_info_presence("t", "{", "{}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "invalid JSON in the presence joins");
    CHECK(lp_test_info_presence("t", "{}", "nul") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "invalid JSON in the presence leaves");
    CHECK(seen == NULL); /* the handler never saw them */
}

static void events_change_state_reply_and_fail(void) {
    lp_test_reset();
    counter = 0;
    CHECK(lp_test_event("add", "{}", NULL) == LP_OK);
    CHECK(lp_test_event("add", "{\"by\":\"41\"}", NULL) == LP_OK);
    CHECK(counter == 42);
    CHECK_STR(lp_test_host()->title, "Count: 42");
    char *reply = NULL;
    CHECK(lp_test_event("ask", "{}", &reply) == LP_OK);
    CHECK_OWNED(reply, "{\"count\":42}");
    CHECK(lp_test_event("add", NULL, &reply) == LP_OK);
    CHECK(reply == NULL);

    CHECK(lp_test_event("nope", "{}", NULL) == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "unknown event \"nope\"");
    CHECK(lp_test_event("add", "{\"by\":", NULL) == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "invalid JSON in the event value");
    reply = (char *)1;
    CHECK(lp_test_event("fail-after-reply", "{}", &reply) == LP_ERROR);
    CHECK(reply == NULL); /* an error has no reply */
    CHECK_OWNED(lp_test_error(), "no");
}

static void render_is_checked(void) {
    counter = 5;
    CHECK_OWNED(lp_test_render(), "<p>5</p>");
}

static void render_reusing_a_node(void) {
    reuse_node = true;
    free(lp_test_render());
}

static void a_node_used_twice_traps(void) { CHECK_PANICS(render_reusing_a_node, "is used twice"); }

static void snapshots_are_enveloped_with_their_version(void) {
    counter = 3;
    snapshot_version = 1;
    snapshot_bad = false;
    CHECK_OWNED(lp_test_snapshot(), "{\"v\":1,\"state\":{\"count\":3}}");
    snapshot_version = 7;
    CHECK_OWNED(lp_test_snapshot(), "{\"v\":7,\"state\":{\"count\":3}}");
    snapshot_version = 0;
    CHECK(lp_test_snapshot() == NULL);
    snapshot_version = 1;
    snapshot_bad = true;
    lp_test_reset();
    CHECK(lp_test_snapshot() == NULL);
    CHECK(strstr(lp_test_host()->log.data ? lp_test_host()->log.data : "", "warn: snapshot:") != NULL);
    snapshot_bad = false;
}

static void restore_checks_the_envelope_and_passes_the_version(void) {
    counter = 0;
    CHECK(lp_test_restore("{\"v\":1,\"state\":{\"count\":9}}") == LP_OK);
    CHECK(counter == 9);
    CHECK(lp_test_restore(" {\"state\":{\"history\":[4,5]},\"v\":2} ") == LP_OK);
    CHECK(counter == 4);
    CHECK(lp_test_restore("{\"v\":3,\"state\":{}}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "cannot restore version 3");

    const char *bad[] = {"", "nope", "[1]", "{}", "{\"v\":1}", "{\"state\":{}}", "{\"v\":1,\"state\":{},\"x\":0}",
                         "{\"v\":\"1\",\"state\":{}}", "{\"v\":1.5,\"state\":{}}", "{\"v\":1,\"v\":1}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(lp_test_restore(bad[i]) == LP_ERROR);
        char *e = lp_test_error();
        CHECK(strncmp(e, "invalid snapshot", 16) == 0);
        free(e);
    }
    CHECK(lp_test_restore("{\"v\":0,\"state\":{}}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "invalid snapshot: version 0");
    CHECK(lp_test_restore("{\"v\":4294967296,\"state\":{}}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "invalid snapshot: version 4294967296");
    CHECK(lp_test_restore("{\"v\":-1,\"state\":{}}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "invalid snapshot: version -1");
    /* A snapshot round-trips. */
    counter = 11;
    char *snap = lp_test_snapshot();
    counter = 0;
    CHECK(snap && lp_test_restore(snap) == LP_OK && counter == 11);
    free(snap);
}

static void the_stand_in_host_records_capabilities(void) {
    lp_test_reset();
    CHECK(lp_test_event("go", "{}", NULL) == LP_OK);
    lp_test_host_t *h = lp_test_host();
    CHECK_STR(h->navigation, "navigate /other (replace)");
    CHECK(h->nflash == 1);
    char *f = lp_flash_get("info");
    CHECK_STR(f, "Bye");
    free(f);
    CHECK(lp_flash_get("error") == NULL);
    CHECK(h->nkv == 2 && strcmp(h->kv[0].key, "a") == 0 && strcmp(h->kv[1].key, "b") == 0);
    char **keys;
    size_t n = lp_kv_keys("", &keys);
    CHECK(n == 2);
    lp_strings_free(keys, n);
    CHECK_STR(h->events.data, "confetti {\"n\":3}\n");
    CHECK_STR(h->log.data, "info: went away\n");
    lp_test_reset();
    CHECK(h->nflash == 0 && h->nkv == 0 && h->navigation == NULL);
}

static void the_stand_in_host_records_pubsub_timers_and_presence(void) {
    lp_test_reset();
    lp_test_host_t *h = lp_test_host();
    char *err = (char *)1;

    /* pubsub */
    CHECK(lp_subscribe("room:b", &err) && err == NULL);
    CHECK(lp_subscribe("room:a", NULL));
    CHECK(lp_subscribe("room:b", NULL)); /* twice is one subscription */
    CHECK(h->ntopics == 2 && strcmp(h->topics[0], "room:a") == 0 && strcmp(h->topics[1], "room:b") == 0);
    CHECK(!lp_subscribe("", &err));
    CHECK_OWNED(err, "a topic is 1 to 256 bytes, got 0");
    CHECK(!lp_subscribe("a\tb", &err));
    CHECK_OWNED(err, "a topic has no control characters");
    lp_unsubscribe("room:a");
    lp_unsubscribe("room:zzz");
    CHECK(h->ntopics == 1 && strcmp(h->topics[0], "room:b") == 0);
    CHECK(lp_broadcast("room:b", "{\"x\":1}", false, &err) && err == NULL);
    CHECK(lp_broadcast("room:b", NULL, true, NULL));
    CHECK(!lp_broadcast("room:b", "{x}", false, &err));
    CHECK_OWNED(err, "a payload is JSON");
    lp_test_fail_next("too many broadcasts");
    CHECK(!lp_broadcast("room:b", "1", false, &err));
    CHECK_OWNED(err, "too many broadcasts");
    CHECK(lp_broadcast("room:b", "2", false, &err)); /* only the next call failed */
    CHECK_STR(h->broadcasts.data, "room:b {\"x\":1}\nroom:b {} (exclude self)\nroom:b 2\n");

    /* timers */
    uint64_t a = 0, b = 0, c = 99;
    CHECK(lp_send_self("{\"n\":1}", &err) && err == NULL);
    CHECK(lp_send_self(NULL, NULL));
    CHECK_STR(h->sent.data, "{\"n\":1}\n{}\n");
    CHECK(lp_send_after("\"later\"", 50, &a, &err) && a == 1);
    CHECK(lp_interval("{\"tick\":true}", 1000, &b, NULL) && b == 2);
    CHECK(lp_send_after("3", 5, NULL, NULL) && h->last_timer == 3);
    lp_test_fail_next("too many timers");
    CHECK(!lp_interval("{}", 10, &c, &err) && c == 0);
    CHECK_OWNED(err, "too many timers");
    CHECK(!lp_send_after("{", 10, &c, NULL) && c == 0);
    c = 99;
    CHECK(!lp_interval("{}", 9, &c, &err) && c == 0);
    CHECK_OWNED(err, "an interval is at least 10 ms, got 9");
    CHECK(h->ntimers == 3);
    CHECK(h->timers[0].id == 1 && !h->timers[0].interval && h->timers[0].ms == 50);
    CHECK_STR(h->timers[0].payload, "\"later\"");
    CHECK(h->timers[1].id == 2 && h->timers[1].interval && h->timers[1].ms == 1000);
    lp_cancel(a);
    lp_cancel(42); /* unknown: nothing */
    CHECK(h->ntimers == 2 && h->timers[0].id == 2 && h->timers[1].id == 3);

    /* presence */
    CHECK_OWNED(lp_presence_list("room:b"), "{}");
    CHECK(lp_track("room:b", "zed", "{\"name\":\"zed\"}", &err) && err == NULL);
    lp_test_presence_join("room:b", "al", "{\"name\":\"al\",\"tab\":1}");
    lp_test_presence_join("room:b", "zed", NULL);
    lp_test_presence_join("room:c", "al", "{}");
    CHECK_OWNED(lp_presence_list("room:b"),
                "{\"al\":{\"metas\":[{\"name\":\"al\",\"tab\":1,\"phx_ref\":\"ref-2\"}]},"
                "\"zed\":{\"metas\":[{\"name\":\"zed\",\"phx_ref\":\"ref-1\"},{\"phx_ref\":\"ref-3\"}]}}");
    CHECK(lp_track("room:b", "zed", "{\"name\":\"z\"}", NULL)); /* replaces this session's meta */
    CHECK_OWNED(lp_presence_list("room:b"),
                "{\"al\":{\"metas\":[{\"name\":\"al\",\"tab\":1,\"phx_ref\":\"ref-2\"}]},"
                "\"zed\":{\"metas\":[{\"phx_ref\":\"ref-3\"},{\"name\":\"z\",\"phx_ref\":\"ref-5\"}]}}");
    CHECK(!lp_track("room:b", "zed", "[1]", &err));
    CHECK_OWNED(err, "a presence meta is a JSON object");
    CHECK(!lp_track("room:b", "", "{}", &err));
    CHECK_OWNED(err, "a presence key is 1 to 256 bytes, got 0");
    lp_untrack("room:b", "zed");
    lp_untrack("room:b", "al"); /* another session's: untouched */
    CHECK_OWNED(lp_presence_list("room:b"),
                "{\"al\":{\"metas\":[{\"name\":\"al\",\"tab\":1,\"phx_ref\":\"ref-2\"}]},"
                "\"zed\":{\"metas\":[{\"phx_ref\":\"ref-3\"}]}}");
    CHECK_OWNED(lp_presence_list("nobody"), "{}");

    /* kv_set fails on demand too */
    lp_test_fail_next("full");
    CHECK(!lp_kv_set("k", "v", &err));
    CHECK_OWNED(err, "full");

    lp_test_reset();
    CHECK(h->ntopics == 0 && h->ntimers == 0 && h->npresences == 0 && h->last_timer == 0 && h->fail == NULL);
    CHECK(h->broadcasts.data == NULL && h->sent.data == NULL);
    lp_test_fail_next("left over"); /* freed by the reset */
    lp_test_reset();
}

int main(void) {
    RUN(describe_collects_routes_and_the_live_session);
    RUN(mount_parses_params_session_and_connect_params);
    RUN(params_and_info_reach_their_handlers);
    RUN(info_dispatches_each_message_kind);
    RUN(events_change_state_reply_and_fail);
    RUN(render_is_checked);
    RUN(a_node_used_twice_traps);
    RUN(snapshots_are_enveloped_with_their_version);
    RUN(restore_checks_the_envelope_and_passes_the_version);
    RUN(the_stand_in_host_records_capabilities);
    RUN(the_stand_in_host_records_pubsub_timers_and_presence);
    lp_test_reset();
    free(seen);
    CHECK_DONE();
}
