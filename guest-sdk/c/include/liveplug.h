/* liveplug.h: write Liveplug views (liveplug:view@0.4.0, world live-view) in C.
 *
 * A view is a C file that defines lp_view_render (and usually lp_view_mount and
 * lp_view_handle_event); every other lp_view_* function has a default. The SDK exports the WIT
 * interfaces, converts the host's strings into NUL-terminated C strings and parsed JSON, turns
 * the builder's nodes into the `parts` arena, and frees everything it allocated. See README.md.
 *
 * Conventions:
 * - Strings passed to the SDK are NUL-terminated UTF-8 and are copied; the SDK never keeps a
 *   pointer to them (except template statics, which must live forever: use string literals).
 * - Strings returned by the SDK as `char *` are malloc'd and the caller frees them with free().
 * - Handlers return LP_OK, or the result of lp_error(...) / lp_unknown_event(ev).
 * - A programming error the host would refuse (a node used twice, a tree with the wrong number
 *   of slots, out of memory) logs an error and traps: the host ends the session.
 */
#ifndef LIVEPLUG_H
#define LIVEPLUG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define LP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LP_NORETURN __attribute__((noreturn))
#else
#define LP_PRINTF(f, a)
#define LP_NORETURN
#endif

/* ------------------------------------------------------------------------------------------ */
/* Results                                                                                     */

#define LP_OK 0
#define LP_ERROR (-1)

/* Records `message` (printf-style) as the handler's view-error and returns LP_ERROR. The host
 * logs it and ends the session (the browser rejoins with a fresh mount). */
int lp_error(const char *fmt, ...) LP_PRINTF(1, 2);

/* Logs `message` at error level and traps. For bugs, never for bad input. */
LP_NORETURN void lp_panic(const char *fmt, ...) LP_PRINTF(1, 2);

/* ------------------------------------------------------------------------------------------ */
/* JSON reading (over jsmn, Debian's libjsmn-dev, plus strict validation)                      */

typedef struct lp_json lp_json_t; /* a parsed document */

typedef enum {
    LP_JSON_MISSING = 0, /* no such value (a missing key, an index out of range, a bad parent) */
    LP_JSON_NULL,
    LP_JSON_BOOL,
    LP_JSON_NUMBER,
    LP_JSON_STRING,
    LP_JSON_ARRAY,
    LP_JSON_OBJECT,
} lp_json_type_t;

/* A value inside a document: valid while the document lives. Every accessor accepts a missing
 * value and returns missing / false, so lookups chain: lp_jv_get(lp_jv_get(v, "a"), "b"). */
typedef struct {
    const lp_json_t *doc;
    int tok;
} lp_jv;

/* Brackets nested deeper than this are refused (serde_json, which the host uses, stops at 128). */
#define LP_JSON_MAX_DEPTH 512

/* Parses exactly one JSON value (RFC 8259) surrounded by optional whitespace. NULL when the
 * text is not JSON, nests deeper than LP_JSON_MAX_DEPTH, or memory runs out. Free with
 * lp_json_free. */
lp_json_t *lp_json_parse(const char *text, size_t len);
void lp_json_free(lp_json_t *doc);
lp_jv lp_json_root(const lp_json_t *doc);

lp_json_type_t lp_jv_type(lp_jv v);
bool lp_jv_ok(lp_jv v); /* not missing */
bool lp_jv_is_null(lp_jv v);
/* Members of an object by key (the last one when a key repeats); missing otherwise. */
lp_jv lp_jv_get(lp_jv object, const char *key);
/* Number of elements of an array or members of an object; 0 otherwise. */
size_t lp_jv_len(lp_jv v);
/* Element i of an array; for an object, the value of member i. Walking i = 0, 1, 2... is
 * linear in all. */
lp_jv lp_jv_at(lp_jv v, size_t i);
/* The key of member i of an object (a string value). */
lp_jv lp_jv_key_at(lp_jv object, size_t i);
/* A decoded copy of a string value (escapes resolved, NUL-terminated; free() it), or NULL
 * when v is not a string. `len` (optional) receives the length: a "\u0000" escape leaves a NUL
 * inside. */
char *lp_jv_str(lp_jv v, size_t *len);
/* Whether v is a string equal to `s`. */
bool lp_jv_str_eq(lp_jv v, const char *s);
/* An integer number (no fraction, no exponent) that fits int64. */
bool lp_jv_int(lp_jv v, int64_t *out);
/* An integer number, or a string holding a decimal integer ("-12"): phx-value-* attributes
 * arrive as strings. */
bool lp_jv_int_str(lp_jv v, int64_t *out);
bool lp_jv_double(lp_jv v, double *out);
bool lp_jv_bool(lp_jv v, bool *out);
/* The value's JSON text as it was in the document (not NUL-terminated). */
const char *lp_jv_raw(lp_jv v, size_t *len);

/* ------------------------------------------------------------------------------------------ */
/* Growable strings and JSON writing                                                           */

typedef struct {
    char *data; /* NUL-terminated once anything was written; NULL before */
    size_t len;
    size_t cap;
} lp_buf_t;

void lp_buf_append(lp_buf_t *b, const char *s, size_t len);
void lp_buf_puts(lp_buf_t *b, const char *s);
void lp_buf_printf(lp_buf_t *b, const char *fmt, ...) LP_PRINTF(2, 3);
void lp_buf_vprintf(lp_buf_t *b, const char *fmt, va_list ap);
/* The text (malloc'd, "" when empty); the buffer is left empty. */
char *lp_buf_take(lp_buf_t *b);
void lp_buf_free(lp_buf_t *b);

#define LP_JW_MAX_DEPTH 64

/* A JSON writer: commas and colons are placed for you. Keys and strings are escaped as
 * serde_json does (", \, control characters). */
typedef struct {
    lp_buf_t buf;
    int depth;
    bool has_items[LP_JW_MAX_DEPTH + 1];
    bool is_object[LP_JW_MAX_DEPTH + 1];
    bool after_key;
    bool failed; /* misuse: too deep, unbalanced, a key outside an object */
} lp_jw_t;

void lp_jw_init(lp_jw_t *w);
void lp_jw_object_begin(lp_jw_t *w);
void lp_jw_object_end(lp_jw_t *w);
void lp_jw_array_begin(lp_jw_t *w);
void lp_jw_array_end(lp_jw_t *w);
void lp_jw_key(lp_jw_t *w, const char *key);
void lp_jw_string(lp_jw_t *w, const char *s);
void lp_jw_stringn(lp_jw_t *w, const char *s, size_t len);
void lp_jw_int(lp_jw_t *w, int64_t n);
void lp_jw_double(lp_jw_t *w, double d); /* NaN and infinities are written as null */
void lp_jw_bool(lp_jw_t *w, bool b);
void lp_jw_null(lp_jw_t *w);
/* Inserts JSON text as a value, unchecked. */
void lp_jw_raw(lp_jw_t *w, const char *json);
/* The document (malloc'd), or NULL when the writer was misused or is incomplete. Frees w. */
char *lp_jw_finish(lp_jw_t *w);
void lp_jw_free(lp_jw_t *w);

/* ------------------------------------------------------------------------------------------ */
/* Rendering                                                                                   */

/* Static markup around n dynamic slots: n + 1 strings, sent verbatim (trusted: the view's own
 * markup). Declare templates once, at file scope, with LP_TEMPLATE; the SDK gives each an id
 * and sends its statics the first time a render of the instance uses it. */
typedef struct lp_template {
    const char *const *statics;
    size_t count; /* statics; the template has count - 1 slots */
    uint32_t id;  /* 0 until first used */
    bool sent;
} lp_template_t;

#define LP_TEMPLATE(name, ...)                                                                    \
    lp_template_t name = {(const char *const[]){__VA_ARGS__},                                     \
                          sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *), 0,   \
                          false}

typedef struct lp_render lp_render_t;
typedef uint32_t lp_node; /* a node of the render being built */

/* Text: the host escapes it. */
lp_node lp_text(lp_render_t *r, const char *s);
lp_node lp_textn(lp_render_t *r, const char *s, size_t len);
lp_node lp_textf(lp_render_t *r, const char *fmt, ...) LP_PRINTF(2, 3);
lp_node lp_int(lp_render_t *r, int64_t n);
/* Markup sent as is: only HTML the view built or sanitized itself. */
lp_node lp_raw(lp_render_t *r, const char *html);
/* Dynamic attributes inside a tag: starts empty (writes nothing); add with lp_attr. */
lp_node lp_attrs(lp_render_t *r);
/* Adds ` name="value"` (value escaped by the host), or a bare ` name` when value is NULL. */
void lp_attr(lp_render_t *r, lp_node attrs, const char *name, const char *value);
/* An instance of template t; one node per slot, in order. */
#define lp_tree(r, t, ...)                                                                        \
    lp_tree_n((r), (t), (const lp_node[]){0, __VA_ARGS__} + 1,                                    \
              sizeof((const lp_node[]){0, __VA_ARGS__}) / sizeof(lp_node) - 1)
lp_node lp_tree_n(lp_render_t *r, lp_template_t *t, const lp_node *slots, size_t n);
/* A comprehension: every item renders template t. Add items with lp_item. */
lp_node lp_keyed(lp_render_t *r, lp_template_t *t);
/* Appends an item with `key` (NULL: identified by position) and its slots. */
#define lp_item(r, list, key, ...)                                                                \
    lp_item_n((r), (list), (key), (const lp_node[]){0, __VA_ARGS__} + 1,                          \
              sizeof((const lp_node[]){0, __VA_ARGS__}) / sizeof(lp_node) - 1)
void lp_item_n(lp_render_t *r, lp_node list, const char *key, const lp_node *slots, size_t n);
/* An item the host keeps as it was in the previous render (same key, no slots). */
void lp_item_unchanged(lp_render_t *r, lp_node list, const char *key);
/* The same as the previous render at this position (never in an instance's first render). */
lp_node lp_unchanged(lp_render_t *r);
/* A stateful component by the view's id for it; lp_component_root gives its markup when it
 * changed (its root must be a tree whose template has a single root element). */
lp_node lp_component(lp_render_t *r, uint32_t id);
void lp_component_root(lp_render_t *r, uint32_t id, lp_node root);

/* Streams (a phx-update="stream" container): items are sent once and then live only in the
 * browser. */
typedef enum { LP_AT_APPEND, LP_AT_PREPEND, LP_AT_INDEX } lp_stream_at_t;
typedef enum { LP_LIMIT_NONE, LP_LIMIT_FIRST, LP_LIMIT_LAST } lp_stream_limit_t;
lp_node lp_stream(lp_render_t *r, const char *name, lp_template_t *t, bool reset);
#define lp_stream_insert(r, s, dom_id, at, index, limit, limit_n, update_only, ...)              \
    lp_stream_insert_n((r), (s), (dom_id), (at), (index), (limit), (limit_n), (update_only),     \
                       (const lp_node[]){0, __VA_ARGS__} + 1,                                     \
                       sizeof((const lp_node[]){0, __VA_ARGS__}) / sizeof(lp_node) - 1)
void lp_stream_insert_n(lp_render_t *r, lp_node stream, const char *dom_id, lp_stream_at_t at,
                        uint32_t index, lp_stream_limit_t limit, uint32_t limit_n, bool update_only,
                        const lp_node *slots, size_t n);
void lp_stream_delete(lp_render_t *r, lp_node stream, const char *dom_id);

/* A string owned by the render (freed when it ends): for keys and attribute values. */
const char *lp_fmt(lp_render_t *r, const char *fmt, ...) LP_PRINTF(2, 3);

/* ------------------------------------------------------------------------------------------ */
/* Host capabilities                                                                           */

typedef enum { LP_LOG_TRACE, LP_LOG_DEBUG, LP_LOG_INFO, LP_LOG_WARN, LP_LOG_ERROR } lp_level_t;
void lp_log(lp_level_t level, const char *fmt, ...) LP_PRINTF(2, 3);

void lp_title(const char *title);
void lp_titlef(const char *fmt, ...) LP_PRINTF(1, 2);
/* Dispatches phx:<name> in the browser with `payload_json` as detail ("{}" when NULL). */
void lp_push_event(const char *name, const char *payload_json, bool before_patch);

void lp_push_patch(const char *to, bool replace);
void lp_push_navigate(const char *to, bool replace);
void lp_redirect(const char *path);
void lp_redirect_external(const char *url);

void lp_flash_put(const char *kind, const char *message);
void lp_flash_clear(const char *kind); /* NULL: every message */
char *lp_flash_get(const char *kind);  /* NULL when none; free() it */

typedef struct {
    char *key;
    char *value;
} lp_pair_t;
/* Every flash message, sorted by kind: *out is malloc'd; free with lp_pairs_free. */
size_t lp_flash_all(lp_pair_t **out);
void lp_pairs_free(lp_pair_t *pairs, size_t n);

char *lp_kv_get(const char *key); /* NULL when unset; free() it */
/* false when the host refused (limits); *error (optional) gets the reason, free() it. */
bool lp_kv_set(const char *key, const char *value, char **error);
bool lp_kv_delete(const char *key);
/* The keys starting with prefix, sorted: *out is malloc'd; free with lp_strings_free. */
size_t lp_kv_keys(const char *prefix, char ***out);
void lp_strings_free(char **strings, size_t n);

/* Real time: pubsub, timers and presence. Subscriptions, timers and tracked presences belong
 * to the session, not to the instance: they survive hibernation (a message wakes the session)
 * and end with it. What they deliver reaches lp_view_handle_info. JSON arguments are checked
 * by the host; NULL stands for "{}". The fallible calls return false when the host refused and
 * then set *error (optional) to its reason: free() it. */

/* Subscribes this session to `topic` (1 to 256 bytes; subscribing twice is one subscription):
 * broadcasts on it arrive as LP_MESSAGE_BROADCAST, presence changes as LP_MESSAGE_PRESENCE. */
bool lp_subscribe(const char *topic, char **error);
void lp_unsubscribe(const char *topic);
/* Sends `payload_json` to every session subscribed to `topic`, on every host, once the handler
 * has returned; with exclude_self this session does not get it. */
bool lp_broadcast(const char *topic, const char *payload_json, bool exclude_self, char **error);

/* Delivers `payload_json` to this view's lp_view_handle_info (LP_MESSAGE_SENT) right after the
 * current handler. */
bool lp_send_self(const char *payload_json, char **error);
/* Delivers `payload_json` once, after delay_ms; *id (optional) names the timer for lp_cancel. */
bool lp_send_after(const char *payload_json, uint32_t delay_ms, uint64_t *id, char **error);
/* Delivers `payload_json` every period_ms (10 or more, else refused) until cancelled; ticks a
 * session cannot keep up with are skipped. */
bool lp_interval(const char *payload_json, uint32_t period_ms, uint64_t *id, char **error);
/* Stops a timer of this session; nothing happens for an unknown or fired one. */
void lp_cancel(uint64_t id);

/* Tracks this session on `topic` under `key` with `meta_json` (a JSON object). Tracking the
 * same key again replaces this session's meta. */
bool lp_track(const char *topic, const char *key, const char *meta_json, char **error);
void lp_untrack(const char *topic, const char *key);
/* Everyone on `topic` now, as JSON {"<key>": {"metas": [{...meta, "phx_ref": "<ref>"}]}}
 * (malloc'd; free() it). */
char *lp_presence_list(const char *topic);

/* ------------------------------------------------------------------------------------------ */
/* The view: define lp_view_render; every other function has a default                        */

typedef struct {
    lp_jv params;         /* path and query parameters (object) */
    lp_jv session;        /* the signed session (object) */
    bool connected;       /* false for the HTTP dead render */
    lp_jv connect_params; /* missing unless connected */
} lp_mount_t;

typedef struct {
    const char *name; /* the binding's value: "inc" for phx-click="inc" */
    lp_jv value;      /* phx-value-*, the decoded form, or a hook's payload */
    bool has_target;  /* aimed at a stateful component */
    uint32_t target;
    char *reply;      /* set with lp_reply; sent to a hook's pushEvent callback */
} lp_event_t;

/* Whether the event is `name`. */
bool lp_event_is(const lp_event_t *ev, const char *name);
/* The error for an event the view does not handle: `unknown event "name"`. */
int lp_unknown_event(const lp_event_t *ev);
/* Replies to a hook's pushEvent with JSON text (copied). */
void lp_reply(lp_event_t *ev, const char *json);

/* What lp_view_handle_info receives. Everything in it is borrowed for the call: copy what you
 * keep. The *_json strings are the host's JSON text (NUL-terminated); payload, joins and leaves
 * are the same values parsed. Fields that the kind does not have are NULL / missing. */
typedef enum {
    LP_MESSAGE_SENT,      /* lp_send_self, lp_send_after, lp_interval: payload */
    LP_MESSAGE_BROADCAST, /* lp_broadcast on a subscribed topic: topic, payload */
    LP_MESSAGE_PRESENCE,  /* a presence change on a subscribed topic: topic, joins, leaves */
} lp_message_kind_t;

typedef struct {
    lp_message_kind_t kind;
    const char *topic;        /* broadcast and presence */
    const char *payload_json; /* sent and broadcast: what was sent */
    const char *joins_json;   /* presence: {"<key>": {"metas": [...]}} of the metas that joined */
    const char *leaves_json;  /* presence: the same for the metas that left */
    lp_jv payload;
    lp_jv joins;
    lp_jv leaves;
} lp_message_t;

typedef struct lp_describe lp_describe_t;
void lp_route(lp_describe_t *d, const char *path);
void lp_live_session(lp_describe_t *d, const char *name);

/* Default: nothing (the view is served at /<file stem> in the default live session). */
void lp_view_describe(lp_describe_t *d);
/* Default: LP_OK. */
int lp_view_mount(const lp_mount_t *m);
/* Default: lp_unknown_event(ev). */
int lp_view_handle_event(lp_event_t *ev);
/* Default: LP_OK. */
int lp_view_handle_params(const char *url, lp_jv params);
/* A message from a timer, a broadcast or presence. Default: LP_OK (the message is dropped). */
int lp_view_handle_info(const lp_message_t *message);
/* Required: builds the whole page and returns its root node (a tree). */
lp_node lp_view_render(lp_render_t *r);
/* Default: nothing. */
void lp_view_components_destroyed(const uint32_t *ids, size_t n);
/* Writes the state as one JSON value and returns its version (>= 1); 0: no snapshot now.
 * The SDK stores {"v":<version>,"state":<value>}. Default: 0 (sessions never hibernate). */
uint32_t lp_view_snapshot(lp_jw_t *w);
/* Rebuilds the state from a snapshot's `state` written by `version` of the view, instead of
 * mount. Default: an error (the host mounts the view anew). */
int lp_view_restore(lp_jv state, uint32_t version);

/* ------------------------------------------------------------------------------------------ */
/* Testing (native builds): render without a host                                             */

lp_render_t *lp_render_new(void);
void lp_render_free(lp_render_t *r);
/* The HTML the browser would show for `root`, escaped as the host escapes (malloc'd). */
char *lp_render_html(lp_render_t *r, lp_node root);
/* Forgets which templates were sent, as a fresh instance would. */
void lp_instance_reset(void);

/* Native test builds link native.c instead of the WIT glue: the capabilities above reach this
 * stand-in, and the driver calls the view as the host would. */
typedef struct {
    uint64_t id;
    char *payload;
    uint32_t ms;
    bool interval; /* lp_interval; false: lp_send_after */
} lp_test_timer_t;

typedef struct {
    char *topic;
    char *key;
    char *meta;  /* the meta as given (JSON object) */
    char *ref;   /* its phx_ref */
    bool others; /* another session's (lp_test_presence_join), which lp_untrack leaves alone */
} lp_test_presence_t;

typedef struct {
    char *title;      /* the last lp_title */
    char *navigation; /* the last of: "patch /x", "navigate /x (replace)", "redirect /x", "external URL" */
    lp_buf_t events;  /* pushed events, a line each: "name payload" */
    lp_buf_t log;     /* log lines: "info: message" */
    lp_pair_t *flash; /* sorted by kind */
    size_t nflash;
    lp_pair_t *kv; /* sorted by key */
    size_t nkv;
    char **topics; /* subscriptions, sorted */
    size_t ntopics;
    lp_buf_t broadcasts; /* a line each: "topic payload", plus " (exclude self)" */
    lp_buf_t sent;       /* lp_send_self payloads, a line each */
    lp_test_timer_t *timers; /* the live timers, by id (cancelled ones are removed) */
    size_t ntimers;
    uint64_t last_timer; /* the id of the last timer started (ids start at 1) */
    lp_test_presence_t *presences; /* sorted by topic, then key; a key's metas in tracking order */
    size_t npresences;
    char *fail; /* when set, the next fallible call fails with this reason (then it is cleared) */
} lp_test_host_t;

lp_test_host_t *lp_test_host(void);
/* A fresh instance: no templates sent, an empty stand-in host, no pending error. The view's own
 * globals are the view's to reset. */
void lp_test_reset(void);
/* Each returns LP_OK or LP_ERROR (then lp_test_error() has the message). */
int lp_test_mount(const char *params_json); /* connected, empty session */
int lp_test_mount_dead(const char *params_json); /* the HTTP dead render: not connected */
int lp_test_event(const char *name, const char *value_json, char **reply);
int lp_test_params(const char *url, const char *params_json);
int lp_test_info_sent(const char *payload_json);
int lp_test_info_broadcast(const char *topic, const char *payload_json);
int lp_test_info_presence(const char *topic, const char *joins_json, const char *leaves_json);
/* Another session tracks `key` on `topic` with `meta_json` (it shows in lp_presence_list). */
void lp_test_presence_join(const char *topic, const char *key, const char *meta_json);
/* Makes the next fallible call (lp_kv_set, lp_subscribe, lp_broadcast, lp_send_self,
 * lp_send_after, lp_interval, lp_track) fail with `reason`. */
void lp_test_fail_next(const char *reason);
/* lp_view_render's HTML (malloc'd), checked as the glue checks it. */
char *lp_test_render(void);
char *lp_test_snapshot(void); /* the envelope, or NULL */
int lp_test_restore(const char *snapshot);
char *lp_test_error(void); /* the last error message (malloc'd) */

#ifdef __cplusplus
}
#endif

#endif
