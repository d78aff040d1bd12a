/* A counter: the smallest useful LiveView, in C. `+` and `-` change the count, `Reset` zeroes
 * it, and the page title follows the count. Its state snapshots as {"count": N}, so an idle
 * session can hibernate and resume with the same count. Same markup as examples/counter. */
#include <stdint.h>

#include "liveplug.h"

static int64_t count;

static LP_TEMPLATE(page_t,
    "<main class=\"counter\"><h1>Count: <span id=\"count\">",
    "</span></h1>"
    "<button id=\"dec\" phx-click=\"dec\">-</button>"
    "<button id=\"inc\" phx-click=\"inc\">+</button>"
    "<button id=\"reset\" phx-click=\"reset\">Reset</button></main>");

int lp_view_mount(const lp_mount_t *m) {
    (void)m;
    lp_title("Counter");
    return LP_OK;
}

int lp_view_handle_event(lp_event_t *ev) {
    if (lp_event_is(ev, "inc")) {
        if (count < INT64_MAX) count++;
    } else if (lp_event_is(ev, "dec")) {
        if (count > INT64_MIN) count--;
    } else if (lp_event_is(ev, "reset")) {
        count = 0;
    } else {
        return lp_unknown_event(ev);
    }
    lp_titlef("Count: %lld", (long long)count);
    return LP_OK;
}

lp_node lp_view_render(lp_render_t *r) { return lp_tree(r, &page_t, lp_int(r, count)); }

uint32_t lp_view_snapshot(lp_jw_t *w) {
    lp_jw_object_begin(w);
    lp_jw_key(w, "count");
    lp_jw_int(w, count);
    lp_jw_object_end(w);
    return 1;
}

int lp_view_restore(lp_jv state, uint32_t version) {
    int64_t n;
    if (version != 1) return lp_error("cannot restore a version %u snapshot into version 1", version);
    if (!lp_jv_int(lp_jv_get(state, "count"), &n)) return lp_error("snapshot: count is not an integer");
    count = n;
    return LP_OK;
}
