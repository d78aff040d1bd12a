/* The render builder: nodes in an arena, referenced by index; and an HTML rendering of them
 * for tests, escaped as the host escapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Every template this instance has used, so lp_instance_reset can forget them. */
static lp_template_t **known;
static size_t nknown, capknown;
static uint32_t next_template_id = 1;

lp_render_t *lp_render_new(void) {
    lp_render_t *r = lp__alloc(sizeof *r);
    memset(r, 0, sizeof *r);
    return r;
}

static void free_slots_node(lp_node_t *n) {
    switch (n->kind) {
    case LP_N_TEXT:
    case LP_N_RAW: free(n->u.text.s); break;
    case LP_N_ATTRS:
        for (size_t i = 0; i < n->u.attrs.n; i++) {
            free(n->u.attrs.v[i].name);
            free(n->u.attrs.v[i].value);
        }
        free(n->u.attrs.v);
        break;
    case LP_N_TREE: free(n->u.tree.slots); break;
    case LP_N_KEYED:
        for (size_t i = 0; i < n->u.keyed.n; i++) {
            free(n->u.keyed.v[i].key);
            free(n->u.keyed.v[i].slots);
        }
        free(n->u.keyed.v);
        break;
    case LP_N_STREAM:
        free(n->u.stream.name);
        for (size_t i = 0; i < n->u.stream.nins; i++) {
            free(n->u.stream.ins[i].dom_id);
            free(n->u.stream.ins[i].slots);
        }
        free(n->u.stream.ins);
        for (size_t i = 0; i < n->u.stream.ndel; i++) free(n->u.stream.del[i]);
        free(n->u.stream.del);
        break;
    case LP_N_COMPONENT:
    case LP_N_UNCHANGED: break;
    }
}

void lp_render_free(lp_render_t *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) free_slots_node(&r->nodes[i]);
    free(r->nodes);
    free(r->used);
    free(r->comps);
    for (size_t i = 0; i < r->nscratch; i++) free(r->scratch[i]);
    free(r->scratch);
    free(r);
}

static lp_node push(lp_render_t *r, lp_kind_t kind) {
    if (r->n >= UINT32_MAX) lp__oom();
    r->nodes = lp__grow(r->nodes, &r->cap, r->n + 1, sizeof *r->nodes);
    lp_node_t *n = &r->nodes[r->n];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    return (lp_node)r->n++;
}

static lp_node_t *node_of(lp_render_t *r, lp_node id, lp_kind_t kind, const char *what) {
    if (id >= r->n || r->nodes[id].kind != kind) lp_panic("%s: node %u is not a %s node", what, id, what);
    return &r->nodes[id];
}

static void use_template(lp_render_t *r, lp_template_t *t) {
    if (!t || !t->statics || t->count < 1) lp_panic("a template needs at least one static");
    for (size_t i = 0; i < t->count; i++)
        if (!t->statics[i]) lp_panic("template %u: static %zu is NULL", t->id, i);
    if (t->id == 0) {
        t->id = next_template_id++;
        known = lp__grow(known, &capknown, nknown + 1, sizeof *known);
        known[nknown++] = t;
    }
    if (t->sent) return;
    for (size_t i = 0; i < r->nused; i++)
        if (r->used[i] == t) return;
    r->used = lp__grow(r->used, &r->capused, r->nused + 1, sizeof *r->used);
    r->used[r->nused++] = t;
}

void lp_instance_reset(void) {
    for (size_t i = 0; i < nknown; i++) {
        known[i]->id = 0;
        known[i]->sent = false;
    }
    free(known);
    known = NULL;
    nknown = capknown = 0;
    next_template_id = 1;
}

static lp_node *copy_slots(const lp_node *slots, size_t n) {
    lp_node *s = lp__alloc(n * sizeof *s);
    if (n) memcpy(s, slots, n * sizeof *s);
    return s;
}

lp_node lp_textn(lp_render_t *r, const char *s, size_t len) {
    lp_node id = push(r, LP_N_TEXT);
    r->nodes[id].u.text.s = lp__strndup(s ? s : "", s ? len : 0);
    r->nodes[id].u.text.len = s ? len : 0;
    return id;
}

lp_node lp_text(lp_render_t *r, const char *s) { return lp_textn(r, s, s ? strlen(s) : 0); }

lp_node lp_textf(lp_render_t *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = lp__vformat(fmt, ap);
    va_end(ap);
    lp_node id = push(r, LP_N_TEXT);
    r->nodes[id].u.text.s = s;
    r->nodes[id].u.text.len = strlen(s);
    return id;
}

lp_node lp_int(lp_render_t *r, int64_t n) { return lp_textf(r, "%lld", (long long)n); }

lp_node lp_raw(lp_render_t *r, const char *html) {
    lp_node id = lp_text(r, html);
    r->nodes[id].kind = LP_N_RAW;
    return id;
}

lp_node lp_attrs(lp_render_t *r) { return push(r, LP_N_ATTRS); }

void lp_attr(lp_render_t *r, lp_node attrs, const char *name, const char *value) {
    lp_node_t *n = node_of(r, attrs, LP_N_ATTRS, "lp_attr");
    if (!name) lp_panic("lp_attr: NULL name");
    n->u.attrs.v = lp__grow(n->u.attrs.v, &n->u.attrs.cap, n->u.attrs.n + 1, sizeof *n->u.attrs.v);
    lp_attr_t *a = &n->u.attrs.v[n->u.attrs.n++];
    a->name = lp__strndup(name, strlen(name));
    a->value = value ? lp__strndup(value, strlen(value)) : NULL;
}

lp_node lp_tree_n(lp_render_t *r, lp_template_t *t, const lp_node *slots, size_t n) {
    use_template(r, t);
    if (n != t->count - 1)
        lp_panic("template %u has %zu slots, lp_tree got %zu (statics start %.40s)", t->id, t->count - 1, n,
                 t->statics[0]);
    lp_node id = push(r, LP_N_TREE);
    r->nodes[id].u.tree.t = t;
    r->nodes[id].u.tree.slots = copy_slots(slots, n);
    r->nodes[id].u.tree.n = n;
    return id;
}

lp_node lp_keyed(lp_render_t *r, lp_template_t *t) {
    use_template(r, t);
    lp_node id = push(r, LP_N_KEYED);
    r->nodes[id].u.keyed.t = t;
    return id;
}

static lp_item_t *add_item(lp_render_t *r, lp_node list, const char *key) {
    lp_node_t *l = node_of(r, list, LP_N_KEYED, "lp_item");
    l->u.keyed.v = lp__grow(l->u.keyed.v, &l->u.keyed.cap, l->u.keyed.n + 1, sizeof *l->u.keyed.v);
    lp_item_t *it = &l->u.keyed.v[l->u.keyed.n++];
    memset(it, 0, sizeof *it);
    it->key = key ? lp__strndup(key, strlen(key)) : NULL;
    return it;
}

void lp_item_n(lp_render_t *r, lp_node list, const char *key, const lp_node *slots, size_t n) {
    lp_template_t *t = node_of(r, list, LP_N_KEYED, "lp_item")->u.keyed.t;
    if (n != t->count - 1)
        lp_panic("template %u has %zu slots, lp_item got %zu (statics start %.40s)", t->id, t->count - 1, n,
                 t->statics[0]);
    lp_item_t *it = add_item(r, list, key);
    it->slots = copy_slots(slots, n);
    it->nslots = n;
}

void lp_item_unchanged(lp_render_t *r, lp_node list, const char *key) { add_item(r, list, key)->unchanged = true; }

lp_node lp_unchanged(lp_render_t *r) { return push(r, LP_N_UNCHANGED); }

lp_node lp_component(lp_render_t *r, uint32_t id) {
    lp_node n = push(r, LP_N_COMPONENT);
    r->nodes[n].u.component = id;
    return n;
}

void lp_component_root(lp_render_t *r, uint32_t id, lp_node root) {
    node_of(r, root, LP_N_TREE, "lp_component_root");
    for (size_t i = 0; i < r->ncomps; i++)
        if (r->comps[i].id == id) lp_panic("component %u rendered twice", id);
    r->comps = lp__grow(r->comps, &r->capcomps, r->ncomps + 1, sizeof *r->comps);
    r->comps[r->ncomps].id = id;
    r->comps[r->ncomps].root = root;
    r->ncomps++;
}

lp_node lp_stream(lp_render_t *r, const char *name, lp_template_t *t, bool reset) {
    use_template(r, t);
    lp_node id = push(r, LP_N_STREAM);
    r->nodes[id].u.stream.name = lp__strndup(name, strlen(name));
    r->nodes[id].u.stream.t = t;
    r->nodes[id].u.stream.reset = reset;
    return id;
}

void lp_stream_insert_n(lp_render_t *r, lp_node stream, const char *dom_id, lp_stream_at_t at, uint32_t index,
                        lp_stream_limit_t limit, uint32_t limit_n, bool update_only, const lp_node *slots,
                        size_t n) {
    lp_node_t *s = node_of(r, stream, LP_N_STREAM, "lp_stream_insert");
    if (n != s->u.stream.t->count - 1)
        lp_panic("stream %s: template has %zu slots, lp_stream_insert got %zu", s->u.stream.name,
                 s->u.stream.t->count - 1, n);
    s->u.stream.ins = lp__grow(s->u.stream.ins, &s->u.stream.capins, s->u.stream.nins + 1, sizeof *s->u.stream.ins);
    lp_insert_t *in = &s->u.stream.ins[s->u.stream.nins++];
    in->dom_id = lp__strndup(dom_id, strlen(dom_id));
    in->at = at;
    in->index = index;
    in->limit = limit;
    in->limit_n = limit_n;
    in->update_only = update_only;
    in->slots = copy_slots(slots, n);
    in->nslots = n;
}

void lp_stream_delete(lp_render_t *r, lp_node stream, const char *dom_id) {
    lp_node_t *s = node_of(r, stream, LP_N_STREAM, "lp_stream_delete");
    s->u.stream.del = lp__grow(s->u.stream.del, &s->u.stream.capdel, s->u.stream.ndel + 1, sizeof *s->u.stream.del);
    s->u.stream.del[s->u.stream.ndel++] = lp__strndup(dom_id, strlen(dom_id));
}

const char *lp_fmt(lp_render_t *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = lp__vformat(fmt, ap);
    va_end(ap);
    r->scratch = lp__grow(r->scratch, &r->capscratch, r->nscratch + 1, sizeof *r->scratch);
    r->scratch[r->nscratch++] = s;
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Checks                                                                                      */

/* Visits the children of node i, calling f on each child index. */
static void children(lp_render_t *r, lp_node i, void (*f)(lp_render_t *, lp_node, void *), void *ctx) {
    lp_node_t *n = &r->nodes[i];
    switch (n->kind) {
    case LP_N_TREE:
        for (size_t k = 0; k < n->u.tree.n; k++) f(r, n->u.tree.slots[k], ctx);
        break;
    case LP_N_KEYED:
        for (size_t k = 0; k < n->u.keyed.n; k++)
            for (size_t s = 0; s < n->u.keyed.v[k].nslots; s++) f(r, n->u.keyed.v[k].slots[s], ctx);
        break;
    case LP_N_STREAM:
        for (size_t k = 0; k < n->u.stream.nins; k++)
            for (size_t s = 0; s < n->u.stream.ins[k].nslots; s++) f(r, n->u.stream.ins[k].slots[s], ctx);
        break;
    default: break;
    }
}

typedef struct {
    unsigned char *seen;
    lp_node *stack;
    size_t top, cap;
} walk_t;

static void visit(lp_render_t *r, lp_node c, void *ctx) {
    walk_t *w = ctx;
    if (c >= r->n) lp_panic("render: node index %u is out of range (%zu nodes)", c, r->n);
    if (w->seen[c]) lp_panic("render: node %u is used twice (build a new node for each slot)", c);
    w->seen[c] = 1;
    w->stack = lp__grow(w->stack, &w->cap, w->top + 1, sizeof *w->stack);
    w->stack[w->top++] = c;
}

void lp__render_check(lp_render_t *r, lp_node root) {
    walk_t w = {lp__alloc(r->n ? r->n : 1), NULL, 0, 0};
    memset(w.seen, 0, r->n ? r->n : 1);
    visit(r, root, &w);
    for (size_t i = 0; i < r->ncomps; i++) visit(r, r->comps[i].root, &w);
    while (w.top) children(r, w.stack[--w.top], visit, &w);
    free(w.seen);
    free(w.stack);
}

void lp__render_mark_sent(lp_render_t *r) {
    for (size_t i = 0; i < r->nused; i++) r->used[i]->sent = true;
}

/* ------------------------------------------------------------------------------------------ */
/* HTML, for tests                                                                             */

static void escape(lp_buf_t *b, const char *s, size_t n) {
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = NULL;
        switch (s[i]) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#x27;"; break;
        default: break;
        }
        if (e) {
            lp_buf_append(b, s + run, i - run);
            lp_buf_puts(b, e);
            run = i + 1;
        }
    }
    lp_buf_append(b, s + run, n - run);
}

static void html(lp_render_t *r, lp_node i, lp_buf_t *b, int depth);

static void with_template(lp_render_t *r, lp_template_t *t, const lp_node *slots, size_t n, lp_buf_t *b, int depth) {
    for (size_t k = 0; k < t->count; k++) {
        lp_buf_puts(b, t->statics[k]);
        if (k < n) html(r, slots[k], b, depth + 1);
    }
}

static void html(lp_render_t *r, lp_node i, lp_buf_t *b, int depth) {
    if (i >= r->n) lp_panic("render: node index %u is out of range", i);
    if (depth > 1000) lp_panic("render: nodes nested too deep (a cycle?)");
    lp_node_t *n = &r->nodes[i];
    switch (n->kind) {
    case LP_N_TEXT: escape(b, n->u.text.s, n->u.text.len); break;
    case LP_N_RAW: lp_buf_append(b, n->u.text.s, n->u.text.len); break;
    case LP_N_ATTRS:
        for (size_t k = 0; k < n->u.attrs.n; k++) {
            lp_buf_puts(b, " ");
            lp_buf_puts(b, n->u.attrs.v[k].name);
            if (n->u.attrs.v[k].value) {
                lp_buf_puts(b, "=\"");
                escape(b, n->u.attrs.v[k].value, strlen(n->u.attrs.v[k].value));
                lp_buf_puts(b, "\"");
            }
        }
        break;
    case LP_N_TREE: with_template(r, n->u.tree.t, n->u.tree.slots, n->u.tree.n, b, depth); break;
    case LP_N_KEYED:
        for (size_t k = 0; k < n->u.keyed.n; k++) {
            if (n->u.keyed.v[k].unchanged) {
                lp_buf_puts(b, "<!--unchanged-->");
                continue;
            }
            with_template(r, n->u.keyed.t, n->u.keyed.v[k].slots, n->u.keyed.v[k].nslots, b, depth);
        }
        break;
    case LP_N_STREAM:
        for (size_t k = 0; k < n->u.stream.nins; k++)
            with_template(r, n->u.stream.t, n->u.stream.ins[k].slots, n->u.stream.ins[k].nslots, b, depth);
        break;
    case LP_N_COMPONENT:
        for (size_t k = 0; k < r->ncomps; k++)
            if (r->comps[k].id == n->u.component) html(r, r->comps[k].root, b, depth + 1);
        break;
    case LP_N_UNCHANGED: lp_buf_puts(b, "<!--unchanged-->"); break;
    }
}

char *lp_render_html(lp_render_t *r, lp_node root) {
    lp_buf_t b = {0};
    html(r, root, &b, 0);
    return lp_buf_take(&b);
}
