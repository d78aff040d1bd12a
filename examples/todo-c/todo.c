/* A todo list in C: a form validated as you type, and a keyed list with toggle and delete.
 * Same markup and behaviour as examples/todo (Rust), todo-js and todo-py, so one test table
 * drives them all. The state snapshots as
 * {"title":"","error":"","todos":[{"id":1,"title":"Milk","done":false}],"next_id":2}. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "liveplug.h"

/* Titles longer than this (in Unicode code points, after trimming) are refused. */
#define MAX_TITLE 80

typedef struct {
    int64_t id;
    char *title;
    bool done;
} todo_t;

static char *title; /* what the form's input holds */
static char *error;
static todo_t *todos;
static size_t ntodos, captodos;
static int64_t next_id = 1;

static LP_TEMPLATE(page_t,
    "<main class=\"todo\"><h1>Todos</h1>"
    "<form id=\"new-todo\" phx-change=\"validate\" phx-submit=\"add\">"
    "<input id=\"title\" type=\"text\" name=\"todo[title]\" value=\"", /* title */
    "\" autocomplete=\"off\"",                                         /* aria-invalid */
    "><p id=\"title-error\" class=\"error\">",                         /* error */
    "</p><button id=\"add\" type=\"submit\">Add</button></form><ul id=\"todos\">", /* rows */
    "</ul><p id=\"remaining\">",                                       /* n */
    " left</p></main>");

static LP_TEMPLATE(row_t,
    "<li id=\"todo-",                                                           /* id */
    "\" class=\"",                                                              /* class */
    "\"><input type=\"checkbox\" class=\"toggle\" phx-click=\"toggle\" phx-value-id=\"", /* id */
    "\"",                                                                       /* checked */
    "><span class=\"title\">",                                                  /* title */
    "</span><button class=\"delete\" phx-click=\"delete\" phx-value-id=\"",     /* id */
    "\">Delete</button></li>");

static char *dup(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (!d) lp_panic("out of memory");
    memcpy(d, s, n + 1);
    return d;
}

static void set(char **field, char *value) {
    free(*field);
    *field = value;
}

/* ---- Unicode whitespace (Rust's str::trim: the White_Space property) ---------------------- */

/* The code point at s (valid UTF-8), its length in *len. */
static uint32_t decode(const unsigned char *s, size_t *len) {
    if (s[0] < 0x80) return *len = 1, s[0];
    if (s[0] < 0xE0) return *len = 2, ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    if (s[0] < 0xF0) return *len = 3, ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    return *len = 4, ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                     ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

static bool is_space(uint32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

/* A trimmed copy of s. */
static char *trim(const char *s) {
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    size_t len;
    while (p < end && is_space(decode(p, &len))) p += len;
    const unsigned char *last = p; /* end of the last non-space code point */
    for (const unsigned char *q = p; q < end; q += len)
        if (!is_space(decode(q, &len))) last = q + len;
    size_t n = (size_t)(last - p);
    char *out = malloc(n + 1);
    if (!out) lp_panic("out of memory");
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static size_t code_points(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* Why `t` cannot be added, or "". */
static const char *validate(const char *t) {
    char *s = trim(t);
    const char *why = !*s ? "can't be blank" : code_points(s) > MAX_TITLE ? "should be at most 80 characters" : "";
    free(s);
    return why;
}

/* ---- The view ----------------------------------------------------------------------------- */

int lp_view_mount(const lp_mount_t *m) {
    (void)m;
    lp_title("Todos");
    if (!title) title = dup("");
    if (!error) error = dup("");
    return LP_OK;
}

/* The form's todo[title] ("" when absent). */
static char *form_title(const lp_event_t *ev) {
    char *t = lp_jv_str(lp_jv_get(lp_jv_get(ev->value, "todo"), "title"), NULL);
    return t ? t : dup("");
}

/* The row of the event's phx-value-id, or -1. */
static long row(const lp_event_t *ev) {
    int64_t id;
    if (lp_jv_type(lp_jv_get(ev->value, "id")) != LP_JSON_STRING || !lp_jv_int_str(lp_jv_get(ev->value, "id"), &id))
        return -1;
    for (size_t i = 0; i < ntodos; i++)
        if (todos[i].id == id) return (long)i;
    return -1;
}

int lp_view_handle_event(lp_event_t *ev) {
    if (lp_event_is(ev, "validate")) {
        char *t = form_title(ev);
        set(&error, dup(validate(t)));
        set(&title, t);
    } else if (lp_event_is(ev, "add")) {
        char *t = form_title(ev);
        const char *why = validate(t);
        if (!*why) {
            if (ntodos == captodos) {
                captodos = captodos ? captodos * 2 : 8;
                todo_t *grown = realloc(todos, captodos * sizeof *grown);
                if (!grown) lp_panic("out of memory");
                todos = grown;
            }
            todos[ntodos++] = (todo_t){next_id++, trim(t), false};
            free(t);
            set(&title, dup(""));
        } else {
            set(&title, t);
        }
        set(&error, dup(why));
    } else if (lp_event_is(ev, "toggle")) {
        long i = row(ev);
        if (i >= 0) todos[i].done = !todos[i].done;
    } else if (lp_event_is(ev, "delete")) {
        long i = row(ev);
        if (i >= 0) {
            free(todos[i].title);
            memmove(&todos[i], &todos[i + 1], (ntodos - (size_t)i - 1) * sizeof *todos);
            ntodos--;
        }
    } else {
        return lp_unknown_event(ev);
    }
    return LP_OK;
}

lp_node lp_view_render(lp_render_t *r) {
    lp_node invalid = lp_attrs(r);
    if (error && *error) lp_attr(r, invalid, "aria-invalid", "true");

    lp_node rows = lp_keyed(r, &row_t);
    size_t remaining = 0;
    for (size_t i = 0; i < ntodos; i++) {
        todo_t *t = &todos[i];
        lp_node checked = lp_attrs(r);
        if (t->done) lp_attr(r, checked, "checked", NULL);
        else remaining++;
        lp_item(r, rows, lp_fmt(r, "%lld", (long long)t->id),
                lp_int(r, t->id), lp_text(r, t->done ? "todo done" : "todo"), lp_int(r, t->id), checked,
                lp_text(r, t->title), lp_int(r, t->id));
    }
    return lp_tree(r, &page_t, lp_text(r, title), invalid, lp_text(r, error), rows, lp_int(r, (int64_t)remaining));
}

/* ---- Snapshots ---------------------------------------------------------------------------- */

uint32_t lp_view_snapshot(lp_jw_t *w) {
    lp_jw_object_begin(w);
    lp_jw_key(w, "title");
    lp_jw_string(w, title ? title : "");
    lp_jw_key(w, "error");
    lp_jw_string(w, error ? error : "");
    lp_jw_key(w, "todos");
    lp_jw_array_begin(w);
    for (size_t i = 0; i < ntodos; i++) {
        lp_jw_object_begin(w);
        lp_jw_key(w, "id");
        lp_jw_int(w, todos[i].id);
        lp_jw_key(w, "title");
        lp_jw_string(w, todos[i].title);
        lp_jw_key(w, "done");
        lp_jw_bool(w, todos[i].done);
        lp_jw_object_end(w);
    }
    lp_jw_array_end(w);
    lp_jw_key(w, "next_id");
    lp_jw_int(w, next_id);
    lp_jw_object_end(w);
    return 1;
}

static void clear_todos(void) {
    for (size_t i = 0; i < ntodos; i++) free(todos[i].title);
    free(todos);
    todos = NULL;
    ntodos = captodos = 0;
}

int lp_view_restore(lp_jv state, uint32_t version) {
    if (version != 1) return lp_error("cannot restore a version %u snapshot into version 1", version);
    lp_jv list = lp_jv_get(state, "todos");
    int64_t next;
    if (lp_jv_type(state) != LP_JSON_OBJECT || lp_jv_type(list) != LP_JSON_ARRAY ||
        !lp_jv_int(lp_jv_get(state, "next_id"), &next))
        return lp_error("snapshot: expected title, error, todos and next_id");
    char *t = lp_jv_str(lp_jv_get(state, "title"), NULL), *e = lp_jv_str(lp_jv_get(state, "error"), NULL);
    size_t n = lp_jv_len(list);
    todo_t *v = calloc(n ? n : 1, sizeof *v);
    bool ok = t && e && v;
    for (size_t i = 0; ok && i < n; i++) {
        lp_jv item = lp_jv_at(list, i);
        v[i].title = lp_jv_str(lp_jv_get(item, "title"), NULL);
        ok = lp_jv_int(lp_jv_get(item, "id"), &v[i].id) && lp_jv_bool(lp_jv_get(item, "done"), &v[i].done) &&
             v[i].title;
    }
    if (!ok) {
        free(t);
        free(e);
        for (size_t i = 0; v && i < n; i++) free(v[i].title);
        free(v);
        return lp_error("snapshot: a field has the wrong type");
    }
    clear_todos();
    set(&title, t);
    set(&error, e);
    todos = v;
    ntodos = captodos = n;
    if (captodos == 0) captodos = 1;
    next_id = next < 1 ? 1 : next;
    return LP_OK;
}
