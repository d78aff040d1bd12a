/* The counter natively, through the SDK's test driver: markup, title, events, snapshots.
 * Built and run by `make -C guest-sdk/c test`. */
#include "liveplug.h"
#include "check.h"

static const char *page(const char *n) {
    static char buf[512];
    snprintf(buf, sizeof buf,
             "<main class=\"counter\"><h1>Count: <span id=\"count\">%s</span></h1>"
             "<button id=\"dec\" phx-click=\"dec\">-</button><button id=\"inc\" phx-click=\"inc\">+</button>"
             "<button id=\"reset\" phx-click=\"reset\">Reset</button></main>",
             n);
    return buf;
}

static void counts_and_titles(void) {
    lp_test_reset();
    CHECK(lp_test_mount("{}") == LP_OK);
    CHECK_STR(lp_test_host()->title, "Counter");
    CHECK_OWNED(lp_test_render(), page("0"));
    CHECK(lp_test_event("inc", "{}", NULL) == LP_OK);
    CHECK(lp_test_event("inc", "{}", NULL) == LP_OK);
    CHECK_STR(lp_test_host()->title, "Count: 2");
    CHECK_OWNED(lp_test_render(), page("2"));
    CHECK(lp_test_event("dec", "{}", NULL) == LP_OK);
    CHECK(lp_test_event("dec", "{}", NULL) == LP_OK);
    CHECK(lp_test_event("dec", "{}", NULL) == LP_OK);
    CHECK_OWNED(lp_test_render(), page("-1"));
    CHECK_STR(lp_test_host()->title, "Count: -1");
    CHECK(lp_test_event("reset", "{}", NULL) == LP_OK);
    CHECK_OWNED(lp_test_render(), page("0"));
    CHECK_STR(lp_test_host()->title, "Count: 0");
}

static void unknown_events_are_errors(void) {
    CHECK(lp_test_event("explode", "{}", NULL) == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "unknown event \"explode\"");
}

static void snapshots_round_trip(void) {
    CHECK(lp_test_event("inc", "{}", NULL) == LP_OK);
    CHECK(lp_test_event("inc", "{}", NULL) == LP_OK);
    CHECK(lp_test_event("inc", "{}", NULL) == LP_OK);
    CHECK_OWNED(lp_test_snapshot(), "{\"v\":1,\"state\":{\"count\":3}}");
    lp_test_reset();
    CHECK(lp_test_restore("{\"v\":1,\"state\":{\"count\":-12}}") == LP_OK);
    CHECK_OWNED(lp_test_render(), page("-12"));
    CHECK(lp_test_restore("{\"v\":2,\"state\":{\"count\":1}}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "cannot restore a version 2 snapshot into version 1");
    CHECK(lp_test_restore("{\"v\":1,\"state\":{\"count\":\"1\"}}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "snapshot: count is not an integer");
    CHECK_OWNED(lp_test_render(), page("-12")); /* a failed restore changed nothing */
}

static void saturates(void) {
    CHECK(lp_test_restore("{\"v\":1,\"state\":{\"count\":9223372036854775807}}") == LP_OK);
    CHECK(lp_test_event("inc", "{}", NULL) == LP_OK);
    CHECK_OWNED(lp_test_render(), page("9223372036854775807"));
}

int main(void) {
    RUN(counts_and_titles);
    RUN(unknown_events_are_errors);
    RUN(snapshots_round_trip);
    RUN(saturates);
    lp_test_reset();
    CHECK_DONE();
}
