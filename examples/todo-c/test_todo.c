/* The todo list natively, through the SDK's test driver: the exact markup, validation,
 * add/toggle/delete, snapshots. Built and run by `make -C guest-sdk/c test`. */
#include "liveplug.h"
#include "check.h"

static lp_buf_t want;

static void form(const char *title, const char *invalid, const char *error) {
    lp_buf_free(&want);
    lp_buf_printf(&want,
                  "<main class=\"todo\"><h1>Todos</h1><form id=\"new-todo\" phx-change=\"validate\" phx-submit=\"add\">"
                  "<input id=\"title\" type=\"text\" name=\"todo[title]\" value=\"%s\" autocomplete=\"off\"%s>"
                  "<p id=\"title-error\" class=\"error\">%s</p><button id=\"add\" type=\"submit\">Add</button></form>"
                  "<ul id=\"todos\">",
                  title, invalid, error);
}

static void li(int id, const char *title, bool done) {
    lp_buf_printf(&want,
                  "<li id=\"todo-%d\" class=\"%s\"><input type=\"checkbox\" class=\"toggle\" phx-click=\"toggle\" "
                  "phx-value-id=\"%d\"%s><span class=\"title\">%s</span><button class=\"delete\" phx-click=\"delete\" "
                  "phx-value-id=\"%d\">Delete</button></li>",
                  id, done ? "todo done" : "todo", id, done ? " checked" : "", title, id);
}

static const char *end(int left) {
    lp_buf_printf(&want, "</ul><p id=\"remaining\">%d left</p></main>", left);
    return want.data;
}

static int event(const char *name, const char *value) { return lp_test_event(name, value, NULL); }

static void mounts_empty(void) {
    lp_test_reset();
    CHECK(lp_test_mount("{}") == LP_OK);
    CHECK_STR(lp_test_host()->title, "Todos");
    form("", "", "");
    CHECK_OWNED(lp_test_render(), end(0));
}

static void validates_as_you_type(void) {
    CHECK(event("validate", "{\"todo\":{\"title\":\"  \"}}") == LP_OK);
    form("  ", " aria-invalid=\"true\"", "can&#x27;t be blank");
    CHECK_OWNED(lp_test_render(), end(0));

    /* 80 code points (é is two bytes) pass; 81 do not. */
    char t[400] = "{\"todo\":{\"title\":\" ";
    for (int i = 0; i < 80; i++) strcat(t, "\xc3\xa9");
    strcat(t, " \"}}");
    CHECK(event("validate", t) == LP_OK);
    char *html = lp_test_render();
    CHECK(strstr(html, "<p id=\"title-error\" class=\"error\"></p>") != NULL);
    CHECK(strstr(html, "aria-invalid") == NULL);
    free(html);
    t[strlen(t) - 4] = 'x'; /* the trailing space becomes an 81st character */
    CHECK(event("validate", t) == LP_OK);
    html = lp_test_render();
    CHECK(strstr(html, "should be at most 80 characters") != NULL);
    free(html);

    CHECK(event("validate", "{\"todo\":{\"title\":\"Milk <b>\"}}") == LP_OK);
    form("Milk &lt;b&gt;", "", "");
    CHECK_OWNED(lp_test_render(), end(0));
    /* A value without the field is an empty title. */
    CHECK(event("validate", "{}") == LP_OK);
    form("", " aria-invalid=\"true\"", "can&#x27;t be blank");
    CHECK_OWNED(lp_test_render(), end(0));
}

static void adds_toggles_and_deletes(void) {
    CHECK(event("add", "{\"todo\":{\"title\":\"\"}}") == LP_OK);
    form("", " aria-invalid=\"true\"", "can&#x27;t be blank");
    CHECK_OWNED(lp_test_render(), end(0));

    CHECK(event("add", "{\"todo\":{\"title\":\"\\u00a0 Milk\\t\"}}") == LP_OK); /* Unicode trim */
    CHECK(event("add", "{\"todo\":{\"title\":\"Eggs & \\\"ham\\\"\"}}") == LP_OK);
    CHECK(event("add", "{\"todo\":{\"title\":\"Bread\"}}") == LP_OK);
    form("", "", "");
    li(1, "Milk", false);
    li(2, "Eggs &amp; &quot;ham&quot;", false);
    li(3, "Bread", false);
    CHECK_OWNED(lp_test_render(), end(3));

    CHECK(event("toggle", "{\"id\":\"2\"}") == LP_OK);
    CHECK(event("toggle", "{\"id\":\"99\"}") == LP_OK); /* unknown: ignored */
    CHECK(event("toggle", "{\"id\":\"x\"}") == LP_OK);
    CHECK(event("toggle", "{}") == LP_OK);
    form("", "", "");
    li(1, "Milk", false);
    li(2, "Eggs &amp; &quot;ham&quot;", true);
    li(3, "Bread", false);
    CHECK_OWNED(lp_test_render(), end(2));

    CHECK(event("delete", "{\"id\":\"1\"}") == LP_OK);
    CHECK(event("delete", "{\"id\":\"1\"}") == LP_OK);
    form("", "", "");
    li(2, "Eggs &amp; &quot;ham&quot;", true);
    li(3, "Bread", false);
    CHECK_OWNED(lp_test_render(), end(1));

    /* Ids keep counting after a delete. */
    CHECK(event("add", "{\"todo\":{\"title\":\"Jam\"}}") == LP_OK);
    char *html = lp_test_render();
    CHECK(strstr(html, "<li id=\"todo-4\" class=\"todo\">") != NULL);
    free(html);
    CHECK_STR(lp_test_host()->title, "Todos");

    CHECK(event("explode", "{}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "unknown event \"explode\"");
}

static void snapshots_round_trip(void) {
    CHECK(event("validate", "{\"todo\":{\"title\":\"x\\\"y\"}}") == LP_OK);
    char *snap = lp_test_snapshot();
    CHECK_STR(snap, "{\"v\":1,\"state\":{\"title\":\"x\\\"y\",\"error\":\"\",\"todos\":["
                    "{\"id\":2,\"title\":\"Eggs & \\\"ham\\\"\",\"done\":true},"
                    "{\"id\":3,\"title\":\"Bread\",\"done\":false},"
                    "{\"id\":4,\"title\":\"Jam\",\"done\":false}],\"next_id\":5}}");
    char *before = lp_test_render();
    /* Change everything, then restore. */
    CHECK(event("delete", "{\"id\":\"2\"}") == LP_OK);
    CHECK(event("add", "{\"todo\":{\"title\":\"Other\"}}") == LP_OK);
    lp_test_reset();
    CHECK(lp_test_restore(snap) == LP_OK);
    CHECK_OWNED(lp_test_render(), before);
    CHECK(event("add", "{\"todo\":{\"title\":\"Next\"}}") == LP_OK);
    char *html = lp_test_render();
    CHECK(strstr(html, "todo-5") != NULL);
    free(html);
    free(before);
    free(snap);

    CHECK(lp_test_restore("{\"v\":1,\"state\":{\"title\":\"\",\"error\":\"\",\"todos\":[{\"id\":1}],\"next_id\":2}}") ==
          LP_ERROR);
    CHECK_OWNED(lp_test_error(), "snapshot: a field has the wrong type");
    CHECK(lp_test_restore("{\"v\":2,\"state\":{}}") == LP_ERROR);
    CHECK_OWNED(lp_test_error(), "cannot restore a version 2 snapshot into version 1");
    CHECK(lp_test_restore("{\"v\":1,\"state\":{\"title\":\"\",\"error\":\"\",\"todos\":[],\"next_id\":1}}") == LP_OK);
    form("", "", "");
    CHECK_OWNED(lp_test_render(), end(0));
}

int main(void) {
    RUN(mounts_empty);
    RUN(validates_as_you_type);
    RUN(adds_toggles_and_deletes);
    RUN(snapshots_round_trip);
    lp_test_reset();
    lp_buf_free(&want);
    /* The view's globals: a last restore of an empty list frees its rows. */
    CHECK_DONE();
}
