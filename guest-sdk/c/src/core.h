/* The lifecycle over C strings, shared by the WIT glue and the native test driver. */
#ifndef LIVEPLUG_CORE_H
#define LIVEPLUG_CORE_H

#include "internal.h"

struct lp_describe {
    char **routes;
    size_t n, cap;
    char *live_session;
};
void lp__describe_free(lp_describe_t *d);

/* Each returns LP_OK, or LP_ERROR with the message in lp__take_error(). */
int lp__mount(const char *params, size_t params_len, const char *session, size_t session_len, bool connected,
              const char *connect_params, size_t connect_params_len); /* connect_params NULL: none */
int lp__event(const char *name, size_t name_len, const char *value, size_t value_len, bool has_target,
              uint32_t target, char **reply); /* *reply: malloc'd JSON or NULL */
int lp__params(const char *url, size_t url_len, const char *params, size_t params_len);
/* A message for lp_view_handle_info: a is the payload (sent, broadcast) or the joins
 * (presence), b the leaves (presence); topic is ignored for sent. */
int lp__info(lp_message_kind_t kind, const char *topic, size_t topic_len, const char *a, size_t a_len,
             const char *b, size_t b_len);
/* The view's render, checked; free with lp_render_free after converting. */
lp_render_t *lp__render(lp_node *root);
char *lp__snapshot(void); /* malloc'd envelope, or NULL */
int lp__restore(const char *text, size_t len);

#endif
