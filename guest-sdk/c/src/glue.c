/* The WIT exports of world live-view (liveplug:view@0.4.0) over the generated C bindings
 * (live_view.h, generated at build time by wit-bindgen 0.61).
 *
 * Ownership, as wit-bindgen's C bindings define it: an export's arguments belong to the
 * export (freed here once read); what an export returns is freed by the generated
 * cabi_post_* functions with free(), so every returned string and list is malloc'd on its
 * own, and an empty one is {NULL, 0} (post-return skips empty lists, which must then own
 * nothing). */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "live_view.h"

/* Hands a malloc'd NUL-terminated string to the host. */
static void give(live_view_string_t *dst, char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0) {
        free(s);
        dst->ptr = NULL;
    } else {
        dst->ptr = (uint8_t *)s;
    }
    dst->len = n;
}

/* Hands a malloc'd string of known length to the host. */
static void give_n(live_view_string_t *dst, char *s, size_t n) {
    if (n == 0) {
        free(s);
        s = NULL;
    }
    dst->ptr = (uint8_t *)s;
    dst->len = n;
}

static void give_copy(live_view_string_t *dst, const char *s) {
    size_t n = strlen(s);
    give_n(dst, n ? lp__strndup(s, n) : NULL, n);
}

static void give_slots(live_view_list_u32_t *dst, lp_node *slots, size_t n) {
    if (n == 0) {
        free(slots);
        slots = NULL;
    }
    dst->ptr = slots;
    dst->len = n;
}

static void give_error(exports_liveplug_view_view_view_error_t *err) { give(&err->message, lp__take_error()); }

#define STR(s) ((const char *)(s)->ptr), ((s)->len)

/* ------------------------------------------------------------------------------------------ */
/* view                                                                                        */

bool exports_liveplug_view_view_mount(exports_liveplug_view_view_mount_context_t *ctx,
                                      exports_liveplug_view_view_view_error_t *err) {
    int rc = lp__mount(STR(&ctx->params), STR(&ctx->session), ctx->connected,
                       /* present but empty: "" (empty JSON is null), never NULL (absent) */
                       ctx->connect_params.is_some ? (ctx->connect_params.val.len ? (const char *)ctx->connect_params.val.ptr : "") : NULL,
                       ctx->connect_params.is_some ? ctx->connect_params.val.len : 0);
    liveplug_view_types_mount_context_free(ctx);
    if (rc != LP_OK) give_error(err);
    return rc == LP_OK;
}

bool exports_liveplug_view_view_handle_event(live_view_string_t *name, live_view_string_t *value,
                                             uint32_t *maybe_target, live_view_option_string_t *ret,
                                             exports_liveplug_view_view_view_error_t *err) {
    char *reply = NULL;
    int rc = lp__event(STR(name), STR(value), maybe_target != NULL, maybe_target ? *maybe_target : 0, &reply);
    live_view_string_free(name);
    live_view_string_free(value);
    if (rc != LP_OK) {
        give_error(err);
        return false;
    }
    ret->is_some = reply != NULL;
    if (reply) give(&ret->val, reply);
    return true;
}

static void convert_node(lp_render_t *r, lp_node_t *n, liveplug_view_parts_node_t *out) {
    memset(out, 0, sizeof *out);
    switch (n->kind) {
    case LP_N_TEXT:
        out->tag = LIVEPLUG_VIEW_PARTS_NODE_TEXT;
        give_n(&out->val.text, n->u.text.s, n->u.text.len);
        n->u.text.s = NULL;
        break;
    case LP_N_RAW:
        out->tag = LIVEPLUG_VIEW_PARTS_NODE_RAW;
        give_n(&out->val.raw, n->u.text.s, n->u.text.len);
        n->u.text.s = NULL;
        break;
    case LP_N_ATTRS: {
        out->tag = LIVEPLUG_VIEW_PARTS_NODE_ATTRIBUTES;
        size_t k = n->u.attrs.n;
        liveplug_view_parts_attribute_t *v = k ? lp__alloc(k * sizeof *v) : NULL;
        for (size_t i = 0; i < k; i++) {
            give(&v[i].name, n->u.attrs.v[i].name);
            v[i].value.is_some = n->u.attrs.v[i].value != NULL;
            if (v[i].value.is_some) give(&v[i].value.val, n->u.attrs.v[i].value);
            else v[i].value.val = (live_view_string_t){NULL, 0};
        }
        free(n->u.attrs.v);
        n->u.attrs.v = NULL;
        n->u.attrs.n = 0;
        out->val.attributes.ptr = v;
        out->val.attributes.len = k;
        break;
    }
    case LP_N_TREE:
        out->tag = LIVEPLUG_VIEW_PARTS_NODE_TREE;
        out->val.tree.template_ = n->u.tree.t->id;
        give_slots(&out->val.tree.slots, n->u.tree.slots, n->u.tree.n);
        n->u.tree.slots = NULL;
        break;
    case LP_N_KEYED: {
        out->tag = LIVEPLUG_VIEW_PARTS_NODE_KEYED;
        out->val.keyed.template_ = n->u.keyed.t->id;
        size_t k = n->u.keyed.n;
        liveplug_view_parts_item_t *v = k ? lp__alloc(k * sizeof *v) : NULL;
        for (size_t i = 0; i < k; i++) {
            lp_item_t *it = &n->u.keyed.v[i];
            memset(&v[i], 0, sizeof v[i]);
            v[i].key.is_some = it->key != NULL;
            if (it->key) give(&v[i].key.val, it->key);
            v[i].slots.is_some = !it->unchanged;
            if (!it->unchanged) give_slots(&v[i].slots.val, it->slots, it->nslots);
            else free(it->slots);
        }
        free(n->u.keyed.v);
        n->u.keyed.v = NULL;
        n->u.keyed.n = 0;
        out->val.keyed.items.ptr = v;
        out->val.keyed.items.len = k;
        break;
    }
    case LP_N_STREAM: {
        out->tag = LIVEPLUG_VIEW_PARTS_NODE_STREAM;
        liveplug_view_parts_stream_ops_t *s = &out->val.stream;
        give(&s->name, n->u.stream.name);
        n->u.stream.name = NULL;
        s->template_ = n->u.stream.t->id;
        s->reset = n->u.stream.reset;
        size_t k = n->u.stream.nins;
        liveplug_view_parts_stream_insert_t *v = k ? lp__alloc(k * sizeof *v) : NULL;
        for (size_t i = 0; i < k; i++) {
            lp_insert_t *in = &n->u.stream.ins[i];
            memset(&v[i], 0, sizeof v[i]);
            give(&v[i].dom_id, in->dom_id);
            v[i].at.tag = in->at == LP_AT_APPEND    ? LIVEPLUG_VIEW_PARTS_STREAM_POSITION_APPEND
                          : in->at == LP_AT_PREPEND ? LIVEPLUG_VIEW_PARTS_STREAM_POSITION_PREPEND
                                                    : LIVEPLUG_VIEW_PARTS_STREAM_POSITION_INDEX;
            v[i].at.val.index = in->index;
            v[i].limit.is_some = in->limit != LP_LIMIT_NONE;
            v[i].limit.val.tag =
                in->limit == LP_LIMIT_FIRST ? LIVEPLUG_VIEW_PARTS_STREAM_LIMIT_FIRST : LIVEPLUG_VIEW_PARTS_STREAM_LIMIT_LAST;
            v[i].limit.val.val.first = in->limit_n;
            v[i].update_only = in->update_only;
            give_slots(&v[i].slots, in->slots, in->nslots);
        }
        free(n->u.stream.ins);
        n->u.stream.ins = NULL;
        n->u.stream.nins = 0;
        s->inserts.ptr = v;
        s->inserts.len = k;
        size_t d = n->u.stream.ndel;
        live_view_string_t *dv = d ? lp__alloc(d * sizeof *dv) : NULL;
        for (size_t i = 0; i < d; i++) give(&dv[i], n->u.stream.del[i]);
        free(n->u.stream.del);
        n->u.stream.del = NULL;
        n->u.stream.ndel = 0;
        s->deletes.ptr = dv;
        s->deletes.len = d;
        break;
    }
    case LP_N_COMPONENT:
        out->tag = LIVEPLUG_VIEW_PARTS_NODE_COMPONENT;
        out->val.component = n->u.component;
        break;
    case LP_N_UNCHANGED: out->tag = LIVEPLUG_VIEW_PARTS_NODE_UNCHANGED; break;
    }
    (void)r;
}

void exports_liveplug_view_view_render(exports_liveplug_view_view_parts_t *ret) {
    memset(ret, 0, sizeof *ret);
    lp_node root;
    lp_render_t *r = lp__render(&root);

    size_t nt = r->nused;
    liveplug_view_parts_template_t *tv = nt ? lp__alloc(nt * sizeof *tv) : NULL;
    for (size_t i = 0; i < nt; i++) {
        lp_template_t *t = r->used[i];
        tv[i].id = t->id;
        live_view_string_t *sv = lp__alloc(t->count * sizeof *sv);
        for (size_t k = 0; k < t->count; k++) give_copy(&sv[k], t->statics[k]);
        tv[i].statics.ptr = sv;
        tv[i].statics.len = t->count;
    }
    ret->new_templates.ptr = tv;
    ret->new_templates.len = nt;

    size_t nn = r->n;
    liveplug_view_parts_node_t *nv = nn ? lp__alloc(nn * sizeof *nv) : NULL;
    for (size_t i = 0; i < nn; i++) convert_node(r, &r->nodes[i], &nv[i]);
    ret->nodes.ptr = nv;
    ret->nodes.len = nn;
    ret->root = root;

    size_t nc = r->ncomps;
    liveplug_view_parts_component_root_t *cv = nc ? lp__alloc(nc * sizeof *cv) : NULL;
    for (size_t i = 0; i < nc; i++) {
        cv[i].id = r->comps[i].id;
        cv[i].root = r->comps[i].root;
    }
    ret->components.ptr = cv;
    ret->components.len = nc;

    lp__render_mark_sent(r);
    lp_render_free(r);
}

/* ------------------------------------------------------------------------------------------ */
/* Optional exports                                                                            */

void exports_liveplug_view_describe_describe(exports_liveplug_view_describe_view_info_t *ret) {
    lp_describe_t d = {0};
    lp_view_describe(&d);
    memset(ret, 0, sizeof *ret);
    live_view_string_t *rv = d.n ? lp__alloc(d.n * sizeof *rv) : NULL;
    for (size_t i = 0; i < d.n; i++) give(&rv[i], d.routes[i]);
    ret->routes.ptr = rv;
    ret->routes.len = d.n;
    ret->live_session.is_some = d.live_session != NULL;
    if (d.live_session) give(&ret->live_session.val, d.live_session);
    free(d.routes);
}

bool exports_liveplug_view_params_handle_params(live_view_string_t *url, live_view_string_t *params,
                                                exports_liveplug_view_params_view_error_t *err) {
    int rc = lp__params(STR(url), STR(params));
    live_view_string_free(url);
    live_view_string_free(params);
    if (rc != LP_OK) give_error(err);
    return rc == LP_OK;
}

bool exports_liveplug_view_info_handle_info(exports_liveplug_view_info_message_t *message,
                                            exports_liveplug_view_info_view_error_t *err) {
    int rc;
    switch (message->tag) {
    case LIVEPLUG_VIEW_TYPES_MESSAGE_SENT:
        rc = lp__info(LP_MESSAGE_SENT, NULL, 0, STR(&message->val.sent), NULL, 0);
        break;
    case LIVEPLUG_VIEW_TYPES_MESSAGE_BROADCAST:
        rc = lp__info(LP_MESSAGE_BROADCAST, STR(&message->val.broadcast.topic), STR(&message->val.broadcast.payload),
                      NULL, 0);
        break;
    case LIVEPLUG_VIEW_TYPES_MESSAGE_PRESENCE:
        rc = lp__info(LP_MESSAGE_PRESENCE, STR(&message->val.presence.topic), STR(&message->val.presence.joins),
                      STR(&message->val.presence.leaves));
        break;
    default: rc = lp_error("unknown message kind %u", (unsigned)message->tag); break;
    }
    liveplug_view_types_message_free(message);
    if (rc != LP_OK) give_error(err);
    return rc == LP_OK;
}

void exports_liveplug_view_components_components_destroyed(live_view_list_u32_t *ids) {
    lp_view_components_destroyed(ids->ptr, ids->len);
    live_view_list_u32_free(ids);
}

bool exports_liveplug_view_snapshot_snapshot(live_view_string_t *ret) {
    char *s = lp__snapshot();
    if (!s) return false;
    give(ret, s);
    return true;
}

bool exports_liveplug_view_snapshot_restore(live_view_string_t *state, exports_liveplug_view_snapshot_view_error_t *err) {
    int rc = lp__restore(STR(state));
    live_view_string_free(state);
    if (rc != LP_OK) give_error(err);
    return rc == LP_OK;
}
