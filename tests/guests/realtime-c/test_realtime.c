/* The realtime view natively (make -C guest-sdk/c test): its calls reach the SDK's stand-in
 * host, and messages are delivered by hand as the host would deliver them. */
#include <stdlib.h>
#include <string.h>

#include "liveplug.h"
#include "check.h"

#define PAGE(ticks, online, items)                                                                \
    "<section id=\"realtime\"><p id=\"ticks\">ticks: " ticks "</p><p id=\"online\">online: " online \
    "</p><ul id=\"log\">" items "</ul></section>"

static void a_dead_render_touches_nothing(void) {
    lp_test_reset();
    CHECK(lp_test_mount_dead("{\"user\":\"al\"}") == LP_OK);
    lp_test_host_t *h = lp_test_host();
    CHECK(h->ntopics == 0 && h->npresences == 0);
    CHECK_OWNED(lp_test_render(), PAGE("0", "", ""));
    CHECK(h->title == NULL); /* no title */
}

static void defaults_for_missing_or_empty_params(void) {
    lp_test_reset();
    CHECK(lp_test_mount("{\"user\":\"\",\"room\":7}") == LP_OK);
    lp_test_host_t *h = lp_test_host();
    CHECK(h->ntopics == 1 && strcmp(h->topics[0], "room:lobby") == 0);
    CHECK(h->npresences == 1 && strcmp(h->presences[0].key, "anon") == 0);
    CHECK_STR(h->presences[0].meta, "{\"name\":\"anon\"}");
    CHECK_OWNED(lp_test_render(), PAGE("0", "anon", ""));
}

static void mount_subscribes_tracks_and_lists(void) {
    lp_test_reset();
    lp_test_presence_join("room:x", "zoe", "{}");
    lp_test_presence_join("room:x", "bob", "{}");
    lp_test_presence_join("room:x", "bob", "{}");
    lp_test_presence_join("room:x", "Al", "{}");
    lp_test_presence_join("room:x", "\xc3\xa9mile", "{}"); /* after every ASCII key */
    CHECK(lp_test_mount("{\"user\":\"carl\",\"room\":\"x\"}") == LP_OK);
    lp_test_host_t *h = lp_test_host();
    CHECK(h->ntopics == 1 && strcmp(h->topics[0], "room:x") == 0);
    CHECK_OWNED(lp_test_render(), PAGE("0", "Al, bob (2), carl, zoe, \xc3\xa9mile", ""));
}

static void events_use_pubsub_and_timers(void) {
    lp_test_reset();
    CHECK(lp_test_mount("{\"user\":\"al<b>\",\"room\":\"r\"}") == LP_OK);
    lp_test_host_t *h = lp_test_host();
    CHECK(lp_test_event("say", "{\"text\":\"hi \\\"you\\\"\"}", NULL) == LP_OK);
    CHECK(lp_test_event("say-others", "{\"text\":\"psst\"}", NULL) == LP_OK);
    CHECK_STR(h->broadcasts.data, "room:r {\"from\":\"al<b>\",\"text\":\"hi \\\"you\\\"\"}\n"
                                  "room:r {\"from\":\"al<b>\",\"text\":\"psst\"} (exclude self)\n");
    CHECK_OWNED(lp_test_render(), PAGE("0", "al&lt;b&gt;", "<li>me: psst</li>"));

    CHECK(lp_test_event("tick", "{\"ms\":\"100\"}", NULL) == LP_OK);
    CHECK(h->ntimers == 1 && h->timers[0].interval && h->timers[0].ms == 100);
    CHECK_STR(h->timers[0].payload, "{\"tick\":true}");
    uint64_t first = h->timers[0].id;
    CHECK(lp_test_event("tick", "{\"ms\":\"250\"}", NULL) == LP_OK); /* replaces the first */
    CHECK(h->ntimers == 1 && h->timers[0].id != first && h->timers[0].ms == 250);
    CHECK(lp_test_event("stop", "{}", NULL) == LP_OK);
    CHECK(h->ntimers == 0);
    CHECK(lp_test_event("stop", "{}", NULL) == LP_OK); /* no timer: nothing */

    CHECK(lp_test_event("later", "{\"ms\":\"30\",\"text\":\"soon\"}", NULL) == LP_OK);
    CHECK(h->ntimers == 1 && !h->timers[0].interval && h->timers[0].ms == 30);
    CHECK_STR(h->timers[0].payload, "{\"note\":\"soon\"}");
    CHECK(lp_test_event("self", "{\"text\":\"now\"}", NULL) == LP_OK);
    CHECK_STR(h->sent.data, "{\"note\":\"now\"}\n");

    CHECK(lp_test_event("whatever", "{}", NULL) == LP_OK); /* ignored */

    /* ms as the Rust twin reads it: a decimal string, else 0 (and the host refuses an
     * interval under 10 ms: a view error). */
    CHECK(lp_test_event("later", "{\"ms\":30,\"text\":\"n\"}", NULL) == LP_OK);
    CHECK(h->ntimers == 2 && h->timers[1].ms == 0);
    CHECK(lp_test_event("later", "{\"ms\":\"99999999999\"}", NULL) == LP_OK);
    CHECK(h->ntimers == 3 && h->timers[2].ms == UINT32_MAX);
    CHECK_STR(h->timers[2].payload, "{\"note\":\"\"}");
    CHECK(lp_test_event("tick", "{}", NULL) == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "timers.interval: an interval is at least 10 ms, got 0");
}

static void messages_change_the_page(void) {
    lp_test_reset();
    CHECK(lp_test_mount("{\"user\":\"al\"}") == LP_OK);
    CHECK(lp_test_info_sent("{\"tick\":true}") == LP_OK);
    CHECK(lp_test_info_sent("{\"tick\":true}") == LP_OK);
    CHECK(lp_test_info_sent("{\"note\":\"a & b\"}") == LP_OK);
    CHECK(lp_test_info_sent("{\"other\":1}") == LP_OK); /* neither: nothing */
    CHECK(lp_test_info_broadcast("room:lobby", "{\"from\":\"bo\",\"text\":\"yo\"}") == LP_OK);
    CHECK_OWNED(lp_test_render(), PAGE("2", "al", "<li>note: a &amp; b</li><li>bo: yo</li>"));

    lp_test_presence_join("room:lobby", "bo", "{}");
    CHECK(lp_test_info_presence("room:lobby", "{\"bo\":{\"metas\":[{\"phx_ref\":\"x\"}]}}", "{}") == LP_OK);
    CHECK_OWNED(lp_test_render(), PAGE("2", "al, bo", "<li>note: a &amp; b</li><li>bo: yo</li>"));
}

static void online_counts_metas(void) {
    lp_test_reset();
    CHECK(lp_test_mount("{\"user\":\"al\"}") == LP_OK);
    /* Two more sessions (tabs) of the same user: one key, three metas. */
    lp_test_presence_join("room:lobby", "al", "{}");
    lp_test_presence_join("room:lobby", "al", "{}");
    CHECK(lp_test_info_presence("room:lobby", "{}", "{}") == LP_OK);
    CHECK_OWNED(lp_test_render(), PAGE("0", "al (3)", ""));
}

static void the_log_keeps_the_last_twenty(void) {
    lp_test_reset();
    CHECK(lp_test_mount("{}") == LP_OK);
    char json[64];
    for (int i = 1; i <= 22; i++) {
        snprintf(json, sizeof json, "{\"from\":\"u\",\"text\":\"%d\"}", i);
        CHECK(lp_test_info_broadcast("room:lobby", json) == LP_OK);
    }
    char *html = lp_test_render();
    CHECK(html && strstr(html, "<ul id=\"log\"><li>u: 3</li><li>u: 4</li>") != NULL);
    CHECK(html && strstr(html, "<li>u: 22</li></ul>") != NULL);
    size_t n = 0;
    for (const char *p = html; p && (p = strstr(p, "<li>")); p++) n++;
    CHECK(n == 20);
    free(html);
}

static void leave_untracks_and_unsubscribes(void) {
    lp_test_reset();
    lp_test_presence_join("room:lobby", "bo", "{}");
    CHECK(lp_test_mount("{\"user\":\"al\"}") == LP_OK);
    CHECK_OWNED(lp_test_render(), PAGE("0", "al, bo", ""));
    CHECK(lp_test_event("leave", "{}", NULL) == LP_OK);
    lp_test_host_t *h = lp_test_host();
    CHECK(h->ntopics == 0);
    CHECK_OWNED(lp_test_render(), PAGE("0", "bo", "<li>left</li>"));
}

static void a_failing_import_is_a_view_error(void) {
    lp_test_reset();
    lp_test_fail_next("too many topics");
    CHECK(lp_test_mount("{}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "pubsub.subscribe: too many topics");
    lp_test_fail_next("no");
    CHECK(lp_test_event("say", "{\"text\":\"x\"}", NULL) == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "pubsub.broadcast: no");
    lp_test_fail_next("no timers");
    CHECK(lp_test_event("tick", "{\"ms\":\"10\"}", NULL) == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "timers.interval: no timers");
    lp_test_fail_next("later");
    CHECK(lp_test_event("later", "{\"ms\":\"10\",\"text\":\"x\"}", NULL) == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "timers.send-after: later");
    lp_test_fail_next("self");
    CHECK(lp_test_event("self", "{\"text\":\"x\"}", NULL) == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "timers.send-self: self");
    lp_test_fail_next("say-others");
    CHECK(lp_test_event("say-others", "{\"text\":\"x\"}", NULL) == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "pubsub.broadcast: say-others");
    CHECK_OWNED(lp_test_render(), PAGE("0", "", "")); /* nothing logged */
}

static void the_state_survives_a_snapshot(void) {
    lp_test_reset();
    lp_test_presence_join("room:r", "bo", "{}");
    CHECK(lp_test_mount("{\"user\":\"al\",\"room\":\"r\"}") == LP_OK);
    CHECK(lp_test_event("tick", "{\"ms\":\"100\"}", NULL) == LP_OK);
    CHECK(lp_test_info_sent("{\"tick\":true}") == LP_OK);
    CHECK(lp_test_info_sent("{\"note\":\"n\"}") == LP_OK);
    char *before = lp_test_render();
    char *snap = lp_test_snapshot();
    CHECK(snap != NULL);

    /* A fresh instance, restored. */
    lp_test_reset();
    CHECK(lp_test_mount("{\"user\":\"zz\",\"room\":\"other\"}") == LP_OK);
    CHECK(snap && lp_test_restore(snap) == LP_OK);
    CHECK_OWNED(lp_test_render(), before);
    /* The timer id came back: stop cancels it. (The reset emptied the stand-in, whose ids
     * start again at 1, the id the view restored; the host would have kept the timer.) */
    uint64_t id = 0;
    CHECK(lp_interval("{\"tick\":true}", 100, &id, NULL) && id == 1);
    CHECK(lp_test_event("stop", "{}", NULL) == LP_OK);
    CHECK(lp_test_host()->ntimers == 0);
    CHECK(lp_test_event("say", "{\"text\":\"t\"}", NULL) == LP_OK);
    CHECK_STR(lp_test_host()->broadcasts.data, "room:r {\"from\":\"al\",\"text\":\"t\"}\n");

    CHECK(lp_test_restore("{\"v\":1,\"state\":{\"user\":\"x\"}}") == LP_ERROR);
    free(lp_test_error());
    CHECK_OWNED(lp_test_render(), before); /* a failed restore leaves the state */
    CHECK(lp_test_restore("{\"v\":2,\"state\":{}}") == LP_ERROR);
    free(lp_test_error());
    free(before);
    free(snap);
}

static void a_big_timer_id_round_trips(void) {
    lp_test_reset();
    const char *snap = "{\"v\":1,\"state\":{\"user\":\"a\",\"topic\":\"room:t\",\"ticks\":3,\"log\":[\"x\"],"
                       "\"timer\":\"18446744073709551615\",\"online\":\"a\"}}";
    CHECK(lp_test_restore(snap) == LP_OK);
    char *again = lp_test_snapshot();
    CHECK_STR(again, snap);
    free(again);
    CHECK(lp_test_restore("{\"v\":1,\"state\":{\"user\":\"a\",\"topic\":\"room:t\",\"ticks\":3,\"log\":[],"
                          "\"timer\":\"18446744073709551616\",\"online\":\"\"}}") == LP_ERROR);
    free(lp_test_error());
}

int main(void) {
    RUN(a_dead_render_touches_nothing);
    RUN(defaults_for_missing_or_empty_params);
    RUN(mount_subscribes_tracks_and_lists);
    RUN(events_use_pubsub_and_timers);
    RUN(messages_change_the_page);
    RUN(online_counts_metas);
    RUN(the_log_keeps_the_last_twenty);
    RUN(leave_untracks_and_unsubscribes);
    RUN(a_failing_import_is_a_view_error);
    RUN(the_state_survives_a_snapshot);
    RUN(a_big_timer_id_round_trips);
    lp_test_reset();
    CHECK_DONE();
}
