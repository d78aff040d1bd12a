/* Hostile text through every path a view has for it, in C: a text node, a quoted attribute
 * value, a dynamic attribute, and (the trusted path) raw markup. The twin of the Rust view in
 * tests/guests/escape; tests/js/e2e_escape.mjs types hostile strings into the form and checks
 * the DOM. The view never escapes: the host does. */
#include <stdlib.h>
#include <string.h>

#include "liveplug.h"

static char *said; /* what was said last (malloc'd, NUL-terminated) */
static size_t said_len; /* its length in bytes (a \u0000 in the JSON is kept in text nodes) */

static LP_TEMPLATE(page_t,
    "<main id=\"escape\"><p id=\"text\">",     /* said: text */
    "</p><p id=\"attr\" title=\"",               /* said: text in a quoted attribute value */
    "\">attribute</p><b id=\"attrs\"",           /* attributes: title, data-on */
    ">attributes</b><div id=\"raw\">",           /* raw */
    "</div><form id=\"say\" phx-submit=\"say\">"
    "<input id=\"words\" name=\"text\" autocomplete=\"off\">"
    "<button id=\"send\" type=\"submit\">Say</button></form></main>");

static void set_said(char *s, size_t len) {
    free(said);
    said = s;
    said_len = len;
}

static char *dup(const char *s, size_t *len) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (!d) lp_panic("out of memory");
    memcpy(d, s, n + 1);
    *len = n;
    return d;
}

int lp_view_mount(const lp_mount_t *m) {
    (void)m;
    lp_title("Escape");
    size_t len;
    char *s = dup("nothing yet", &len);
    set_said(s, len);
    return LP_OK;
}

int lp_view_handle_event(lp_event_t *ev) {
    if (!lp_event_is(ev, "say")) return lp_unknown_event(ev);
    size_t len = 0;
    char *text = lp_jv_str(lp_jv_get(ev->value, "text"), &len); /* NULL unless a string */
    if (!text) text = dup("", &len);
    set_said(text, len);
    return LP_OK;
}

lp_node lp_view_render(lp_render_t *r) {
    const char *s = said ? said : "";
    size_t n = said ? said_len : 0;
    lp_node attrs = lp_attrs(r);
    lp_attr(r, attrs, "title", s);
    lp_attr(r, attrs, "data-on", NULL);
    return lp_tree(r, &page_t, lp_textn(r, s, n), lp_textn(r, s, n), attrs,
                   lp_raw(r, "<em id=\"trusted\" class=\"raw\">trusted markup</em>"));
}
