/* SDK internals shared between its files; not for views. */
#ifndef LIVEPLUG_INTERNAL_H
#define LIVEPLUG_INTERNAL_H

#include "liveplug.h"

LP_NORETURN void lp__oom(void);
void *lp__alloc(size_t size);                     /* malloc or trap */
void *lp__grow(void *p, size_t *cap, size_t need, size_t elem); /* realloc to hold need */
char *lp__strndup(const char *s, size_t n);       /* or trap */
char *lp__vformat(const char *fmt, va_list ap);   /* malloc'd */

/* The builder's nodes, read by the glue that converts them into the WIT `parts`. */
typedef enum {
    LP_N_TEXT,
    LP_N_RAW,
    LP_N_ATTRS,
    LP_N_TREE,
    LP_N_KEYED,
    LP_N_STREAM,
    LP_N_COMPONENT,
    LP_N_UNCHANGED,
} lp_kind_t;

typedef struct {
    char *name;
    char *value; /* NULL: bare */
} lp_attr_t;

typedef struct {
    char *key; /* NULL: by position */
    lp_node *slots;
    size_t nslots;
    bool unchanged; /* no slots: the host keeps the item */
} lp_item_t;

typedef struct {
    char *dom_id;
    lp_stream_at_t at;
    uint32_t index;
    lp_stream_limit_t limit;
    uint32_t limit_n;
    bool update_only;
    lp_node *slots;
    size_t nslots;
} lp_insert_t;

typedef struct {
    lp_kind_t kind;
    union {
        struct {
            char *s;
            size_t len;
        } text; /* text and raw */
        struct {
            lp_attr_t *v;
            size_t n, cap;
        } attrs;
        struct {
            lp_template_t *t;
            lp_node *slots;
            size_t n;
        } tree;
        struct {
            lp_template_t *t;
            lp_item_t *v;
            size_t n, cap;
        } keyed;
        struct {
            char *name;
            lp_template_t *t;
            bool reset;
            lp_insert_t *ins;
            size_t nins, capins;
            char **del;
            size_t ndel, capdel;
        } stream;
        uint32_t component;
    } u;
} lp_node_t;

typedef struct {
    uint32_t id;
    lp_node root;
} lp_comp_root_t;

struct lp_render {
    lp_node_t *nodes;
    size_t n, cap;
    lp_template_t **used; /* templates first sent by this render */
    size_t nused, capused;
    lp_comp_root_t *comps;
    size_t ncomps, capcomps;
    char **scratch; /* lp_fmt strings */
    size_t nscratch, capscratch;
};

/* Checks that every node index is in range and reached at most once from root (and from the
 * component roots); traps otherwise. Marks the render's new templates as sent. */
void lp__render_check(lp_render_t *r, lp_node root);
void lp__render_mark_sent(lp_render_t *r);

/* The pending view-error message (lp_error), taken by the glue. */
char *lp__take_error(void);

#endif
