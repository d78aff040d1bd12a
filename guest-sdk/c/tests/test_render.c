/* The render builder: nodes, templates sent once, the HTML the host would write, and the
 * programming errors that trap. */
#include "internal.h"
#include "check.h"

static LP_TEMPLATE(card_t, "<div class=\"card\"", "><h2>", "</h2>", "</div>");
static LP_TEMPLATE(row_t, "<li id=\"r-", "\">", "</li>");
static LP_TEMPLATE(list_t, "<ul>", "</ul>");
static LP_TEMPLATE(static_t, "<hr>");
static LP_TEMPLATE(msg_t, "<p id=\"", "\">", "</p>");

static void text_is_escaped_as_the_host_escapes_and_raw_is_not(void) {
    lp_render_t *r = lp_render_new();
    lp_node attrs = lp_attrs(r);
    lp_attr(r, attrs, "data-x", "a'b\"<c>&");
    lp_attr(r, attrs, "checked", NULL);
    lp_node root = lp_tree(r, &card_t, attrs, lp_text(r, "<script>alert('x')</script> & \"q\""), lp_raw(r, "<b>ok</b>"));
    CHECK_OWNED(lp_render_html(r, root),
                "<div class=\"card\" data-x=\"a&#x27;b&quot;&lt;c&gt;&amp;\" checked><h2>"
                "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;</h2><b>ok</b></div>");
    lp_render_free(r);
}

static void empty_attributes_write_nothing_and_textf_formats(void) {
    lp_render_t *r = lp_render_new();
    lp_node root = lp_tree(r, &card_t, lp_attrs(r), lp_textf(r, "%d items, %s", 3, "é"), lp_int(r, -9223372036854775807LL - 1));
    CHECK_OWNED(lp_render_html(r, root), "<div class=\"card\"><h2>3 items, é</h2>-9223372036854775808</div>");
    lp_render_free(r);
}

static void keyed_items_render_in_order_with_their_keys(void) {
    lp_render_t *r = lp_render_new();
    lp_node list = lp_keyed(r, &row_t);
    for (int i = 1; i <= 3; i++) lp_item(r, list, lp_fmt(r, "%d", i), lp_int(r, i), lp_textf(r, "row %d", i));
    lp_node root = lp_tree(r, &list_t, list);
    CHECK_OWNED(lp_render_html(r, root),
                "<ul><li id=\"r-1\">row 1</li><li id=\"r-2\">row 2</li><li id=\"r-3\">row 3</li></ul>");
    lp_node_t *n = &r->nodes[list];
    CHECK(n->u.keyed.n == 3);
    CHECK_STR(n->u.keyed.v[0].key, "1");
    CHECK_STR(n->u.keyed.v[2].key, "3");
    CHECK(n->u.keyed.v[1].nslots == 2);
    lp_render_free(r);
}

static void an_empty_comprehension_still_names_its_template(void) {
    lp_instance_reset();
    lp_render_t *r = lp_render_new();
    lp_node root = lp_tree(r, &list_t, lp_keyed(r, &row_t));
    CHECK_OWNED(lp_render_html(r, root), "<ul></ul>");
    CHECK(r->nused == 2); /* both templates are sent, so the host knows the row's */
    lp_render_free(r);
}

static void templates_get_ids_once_and_are_sent_once_per_instance(void) {
    lp_instance_reset();
    lp_render_t *r = lp_render_new();
    lp_node root = lp_tree(r, &list_t, lp_keyed(r, &row_t));
    (void)root;
    lp_tree(r, &static_t);
    lp_tree(r, &static_t); /* twice in one render: sent once */
    CHECK(r->nused == 3);
    CHECK(row_t.id == 1 && list_t.id == 2 && static_t.id == 3); /* slots are built first */
    lp__render_mark_sent(r);
    lp_render_free(r);

    r = lp_render_new();
    lp_tree(r, &list_t, lp_keyed(r, &row_t));
    lp_tree(r, &card_t, lp_attrs(r), lp_text(r, ""), lp_text(r, ""));
    CHECK(r->nused == 1 && r->used[0] == &card_t); /* only the new one */
    CHECK(card_t.id == 4 && list_t.id == 2);
    lp__render_mark_sent(r);
    lp_render_free(r);

    /* A render that is abandoned (not marked sent) sends its templates next time. */
    lp_instance_reset();
    r = lp_render_new();
    lp_tree(r, &static_t);
    lp_render_free(r);
    r = lp_render_new();
    lp_tree(r, &static_t);
    CHECK(r->nused == 1 && static_t.id == 1);
    lp_render_free(r);
    lp_instance_reset();
    CHECK(static_t.id == 0 && !static_t.sent);
}

static void streams_components_and_unchanged(void) {
    lp_render_t *r = lp_render_new();
    lp_node s = lp_stream(r, "msgs", &msg_t, false);
    lp_stream_insert(r, s, "m-1", LP_AT_APPEND, 0, LP_LIMIT_NONE, 0, false, lp_text(r, "m-1"), lp_text(r, "hello"));
    lp_stream_delete(r, s, "m-0");
    lp_component_root(r, 3, lp_tree(r, &msg_t, lp_text(r, "c-3"), lp_text(r, "comp")));
    lp_node root = lp_tree(r, &card_t, lp_attrs(r), s, lp_component(r, 3));
    lp__render_check(r, root);
    CHECK_OWNED(lp_render_html(r, root),
                "<div class=\"card\"><h2><p id=\"m-1\">hello</p></h2><p id=\"c-3\">comp</p></div>");
    CHECK(r->nodes[s].u.stream.ndel == 1);
    lp_render_free(r);

    r = lp_render_new();
    lp_node list = lp_keyed(r, &row_t);
    lp_item_unchanged(r, list, "1");
    root = lp_tree(r, &card_t, lp_attrs(r), lp_unchanged(r), list);
    lp__render_check(r, root);
    CHECK_OWNED(lp_render_html(r, root), "<div class=\"card\"><h2><!--unchanged--></h2><!--unchanged--></div>");
    lp_render_free(r);
}

static void null_text_is_empty(void) {
    lp_render_t *r = lp_render_new();
    lp_node root = lp_tree(r, &row_t, lp_text(r, NULL), lp_textn(r, "abc", 2));
    CHECK_OWNED(lp_render_html(r, root), "<li id=\"r-\">ab</li>");
    lp_render_free(r);
}

static void many_nodes(void) {
    lp_render_t *r = lp_render_new();
    lp_node list = lp_keyed(r, &row_t);
    for (int i = 0; i < 20000; i++) lp_item(r, list, lp_fmt(r, "%d", i), lp_int(r, i), lp_text(r, "x"));
    lp_node root = lp_tree(r, &list_t, list);
    lp__render_check(r, root);
    char *html = lp_render_html(r, root);
    CHECK(strlen(html) > 20000 * 15);
    CHECK(strncmp(html, "<ul><li id=\"r-0\">x</li>", 23) == 0);
    free(html);
    lp_render_free(r);
}

/* ---- Programming errors trap, with a message naming the problem ---- */

static void wrong_slot_count(void) {
    lp_render_t *r = lp_render_new();
    lp_tree(r, &row_t, lp_text(r, "only one"));
}

static void wrong_item_slot_count(void) {
    lp_render_t *r = lp_render_new();
    lp_node list = lp_keyed(r, &row_t);
    lp_item(r, list, "k", lp_text(r, "a"), lp_text(r, "b"), lp_text(r, "c"));
}

static void node_used_twice(void) {
    lp_render_t *r = lp_render_new();
    lp_node t = lp_text(r, "same");
    lp__render_check(r, lp_tree(r, &row_t, t, t));
}

static void node_out_of_range(void) {
    lp_render_t *r = lp_render_new();
    lp__render_check(r, lp_tree(r, &row_t, lp_text(r, "a"), 999));
}

static void attr_on_text(void) {
    lp_render_t *r = lp_render_new();
    lp_attr(r, lp_text(r, "a"), "x", "y");
}

static void item_on_tree(void) {
    lp_render_t *r = lp_render_new();
    lp_item(r, lp_tree(r, &static_t), "k");
}

static void component_twice(void) {
    lp_render_t *r = lp_render_new();
    lp_component_root(r, 1, lp_tree(r, &static_t));
    lp_component_root(r, 1, lp_tree(r, &static_t));
}

static LP_TEMPLATE(bad_t, "a", NULL);
static void null_static(void) {
    lp_render_t *r = lp_render_new();
    lp_tree(r, &bad_t, lp_text(r, ""));
}

static void programming_errors_trap(void) {
    CHECK_PANICS(wrong_slot_count, "has 2 slots, lp_tree got 1");
    CHECK_PANICS(wrong_item_slot_count, "has 2 slots, lp_item got 3");
    CHECK_PANICS(node_used_twice, "is used twice");
    CHECK_PANICS(node_out_of_range, "out of range");
    CHECK_PANICS(attr_on_text, "is not a lp_attr node");
    CHECK_PANICS(item_on_tree, "is not a lp_item node");
    CHECK_PANICS(component_twice, "component 1 rendered twice");
    CHECK_PANICS(null_static, "static 1 is NULL");
}

/* The lifecycle wants a view; this test has none of its own. */
lp_node lp_view_render(lp_render_t *r) { return lp_tree(r, &static_t); }

/* This view defines only render: the optional handlers have their defaults. */
static void a_render_only_view_drops_messages(void) {
    CHECK(lp_test_info_sent("{\"tick\":true}") == LP_OK);
    CHECK(lp_test_info_broadcast("room:a", "{}") == LP_OK);
    CHECK(lp_test_info_presence("room:a", "{}", "{}") == LP_OK);
    CHECK(lp_test_params("http://localhost/", "{}") == LP_OK);
}

int main(void) {
    RUN(text_is_escaped_as_the_host_escapes_and_raw_is_not);
    RUN(empty_attributes_write_nothing_and_textf_formats);
    RUN(keyed_items_render_in_order_with_their_keys);
    RUN(an_empty_comprehension_still_names_its_template);
    RUN(templates_get_ids_once_and_are_sent_once_per_instance);
    RUN(streams_components_and_unchanged);
    RUN(null_text_is_empty);
    RUN(many_nodes);
    RUN(programming_errors_trap);
    RUN(a_render_only_view_drops_messages);
    CHECK_DONE();
}
