/* JSON reading over jsmn (Debian's libjsmn-dev, header-only) and JSON writing.
 *
 * jsmn tokenizes; on its own it accepts some malformed text (missing or extra commas, any
 * primitive spelling, several top-level values). The checks below make the reader strict: a
 * document is accepted exactly when it is one RFC 8259 value. No recursion anywhere: nesting
 * depth costs no stack, and memory is bounded by the token count (at most one per byte).
 */
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liveplug.h"
#include "internal.h"

struct lp_json {
    char *text; /* a copy, followed by a space and a NUL */
    size_t len;
    jsmntok_t *toks;
    int *next; /* next[i]: the token after i's subtree */
    int count;
    /* The last child found by index, so that lp_jv_at over 0, 1, 2... is linear. */
    int cache_parent, cache_index, cache_tok;
};

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Where a token's text begins and ends, quotes included for strings. */
static int tok_begin(const jsmntok_t *t) { return t->type == JSMN_STRING ? t->start - 1 : t->start; }
static int tok_end(const jsmntok_t *t) { return t->type == JSMN_STRING ? t->end + 1 : t->end; }

/* Whether text[from, to) is whitespace around exactly `sep` (or only whitespace when sep is 0). */
static bool gap_ok(const char *text, int from, int to, char sep) {
    bool seen = false;
    for (int i = from; i < to; i++) {
        char c = text[i];
        if (is_ws(c)) continue;
        if (sep && c == sep && !seen) {
            seen = true;
            continue;
        }
        return false;
    }
    return sep ? seen : true;
}

static bool number_ok(const char *s, size_t n) {
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    if (i >= n) return false;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    } else {
        return false;
    }
    if (i < n && s[i] == '.') {
        i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) return false;
    }
    return i == n;
}

static bool primitive_ok(const char *s, size_t n) {
    if (n == 4 && memcmp(s, "true", 4) == 0) return true;
    if (n == 5 && memcmp(s, "false", 5) == 0) return true;
    if (n == 4 && memcmp(s, "null", 4) == 0) return true;
    return number_ok(s, n);
}

static int hex4(const char *s) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else return -1;
    }
    return v;
}

static size_t put_utf8(char *out, uint32_t cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the body of a string token (between the quotes) into out (at least n bytes: the
 * decoded text is never longer); returns its length, or -1 for a control character, a bad
 * escape or a lone surrogate. out may be NULL to validate only. */
static long decode_string(const char *s, size_t n, char *out) {
    size_t o = 0;
    char tmp[4];
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20) return -1;
        if (c != '\\') {
            if (out) out[o] = (char)c;
            o++;
            continue;
        }
        if (++i >= n) return -1;
        char e = s[i];
        char d;
        switch (e) {
        case '"': d = '"'; break;
        case '\\': d = '\\'; break;
        case '/': d = '/'; break;
        case 'b': d = '\b'; break;
        case 'f': d = '\f'; break;
        case 'n': d = '\n'; break;
        case 'r': d = '\r'; break;
        case 't': d = '\t'; break;
        case 'u': {
            if (n - i - 1 < 4) return -1;
            int hi = hex4(s + i + 1);
            if (hi < 0) return -1;
            i += 4;
            uint32_t cp = (uint32_t)hi;
            if (hi >= 0xD800 && hi <= 0xDBFF) {
                if (n - i - 1 < 6 || s[i + 1] != '\\' || s[i + 2] != 'u') return -1;
                int lo = hex4(s + i + 3);
                if (lo < 0xDC00 || lo > 0xDFFF) return -1;
                i += 6;
                cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            } else if (hi >= 0xDC00 && hi <= 0xDFFF) {
                return -1;
            }
            size_t k = put_utf8(tmp, cp);
            if (out) memcpy(out + o, tmp, k);
            o += k;
            continue;
        }
        default: return -1;
        }
        if (out) out[o] = d;
        o++;
    }
    return (long)o;
}

static bool validate(lp_json_t *doc) {
    const jsmntok_t *t = doc->toks;
    const char *text = doc->text;
    int n = doc->count;
    /* One root, covering the text but for whitespace. */
    if (n < 1 || t[0].parent != -1) return false;
    if (!gap_ok(text, 0, tok_begin(&t[0]), 0) || !gap_ok(text, tok_end(&t[0]), (int)doc->len, 0)) return false;
    /* Subtree ends, from the last token back. */
    for (int i = n - 1; i >= 0; i--) {
        int j = i + 1;
        for (int k = 0; k < t[i].size; k++) {
            if (j >= n) return false;
            j = doc->next[j];
        }
        doc->next[i] = j;
    }
    if (doc->next[0] != n) return false;
    for (int i = 0; i < n; i++) {
        const jsmntok_t *tok = &t[i];
        if (tok->start < 0 || tok->end < tok->start) return false;
        if (i > 0 && tok->parent < 0) return false;
        switch (tok->type) {
        case JSMN_PRIMITIVE:
            if (tok->size != 0 || !primitive_ok(text + tok->start, (size_t)(tok->end - tok->start))) return false;
            break;
        case JSMN_STRING: {
            bool is_key = tok->parent >= 0 && t[tok->parent].type == JSMN_OBJECT;
            if (tok->size != (is_key ? 1 : 0)) return false;
            if (decode_string(text + tok->start, (size_t)(tok->end - tok->start), NULL) < 0) return false;
            break;
        }
        case JSMN_ARRAY:
        case JSMN_OBJECT: {
            bool obj = tok->type == JSMN_OBJECT;
            int pos = tok->start + 1; /* after the bracket */
            int j = i + 1;
            for (int k = 0; k < tok->size; k++) {
                const jsmntok_t *c = &t[j];
                if (c->parent != i) return false;
                if (obj && c->type != JSMN_STRING) return false;
                if (!gap_ok(text, pos, tok_begin(c), k == 0 ? 0 : ',')) return false;
                if (obj) {
                    const jsmntok_t *v = &t[j + 1];
                    if (v->parent != j) return false;
                    if (!gap_ok(text, tok_end(c), tok_begin(v), ':')) return false;
                    pos = tok_end(v);
                } else {
                    pos = tok_end(c);
                }
                j = doc->next[j];
            }
            if (!gap_ok(text, pos, tok->end - 1, 0)) return false;
            break;
        }
        default: return false;
        }
    }
    return true;
}

/* Whether brackets nest deeper than LP_JSON_MAX_DEPTH (jsmn's closing walk is linear in the
 * depth, so the limit also bounds the parse to O(length * LP_JSON_MAX_DEPTH)). */
static bool too_deep(const char *s, size_t n) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\') i++;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > LP_JSON_MAX_DEPTH) return true;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return false;
}

lp_json_t *lp_json_parse(const char *text, size_t len) {
    if (!text || len > (size_t)INT_MAX - 2 || memchr(text, '\0', len) || too_deep(text, len)) return NULL;
    lp_json_t *doc = calloc(1, sizeof *doc);
    if (!doc) return NULL;
    doc->text = malloc(len + 2);
    if (!doc->text) goto fail;
    memcpy(doc->text, text, len);
    doc->text[len] = ' '; /* ends a top-level primitive, which strict jsmn wants delimited */
    doc->text[len + 1] = '\0';
    doc->len = len;
    doc->cache_parent = -1;
    jsmn_parser p;
    jsmn_init(&p);
    unsigned cap = 16;
    for (;;) {
        jsmntok_t *grown = realloc(doc->toks, cap * sizeof *grown);
        if (!grown) goto fail;
        doc->toks = grown;
        int r = jsmn_parse(&p, doc->text, len + 1, doc->toks, cap);
        if (r == JSMN_ERROR_NOMEM) {
            if (cap > (unsigned)len + 2) goto fail; /* cannot happen: a token takes a byte */
            cap *= 2;
            continue;
        }
        if (r <= 0) goto fail;
        doc->count = r;
        break;
    }
    doc->next = malloc((size_t)doc->count * sizeof *doc->next);
    if (!doc->next || !validate(doc)) goto fail;
    return doc;
fail:
    lp_json_free(doc);
    return NULL;
}

void lp_json_free(lp_json_t *doc) {
    if (!doc) return;
    free(doc->text);
    free(doc->toks);
    free(doc->next);
    free(doc);
}

lp_jv lp_json_root(const lp_json_t *doc) {
    lp_jv v = {doc, doc ? 0 : -1};
    return v;
}

static const lp_jv MISSING = {NULL, -1};

static const jsmntok_t *tok_of(lp_jv v) {
    if (!v.doc || v.tok < 0 || v.tok >= v.doc->count) return NULL;
    return &v.doc->toks[v.tok];
}

lp_json_type_t lp_jv_type(lp_jv v) {
    const jsmntok_t *t = tok_of(v);
    if (!t) return LP_JSON_MISSING;
    switch (t->type) {
    case JSMN_OBJECT: return LP_JSON_OBJECT;
    case JSMN_ARRAY: return LP_JSON_ARRAY;
    case JSMN_STRING: return LP_JSON_STRING;
    case JSMN_PRIMITIVE: {
        char c = v.doc->text[t->start];
        if (c == 'n') return LP_JSON_NULL;
        if (c == 't' || c == 'f') return LP_JSON_BOOL;
        return LP_JSON_NUMBER;
    }
    default: return LP_JSON_MISSING;
    }
}

bool lp_jv_ok(lp_jv v) { return tok_of(v) != NULL; }
bool lp_jv_is_null(lp_jv v) { return lp_jv_type(v) == LP_JSON_NULL; }

size_t lp_jv_len(lp_jv v) {
    lp_json_type_t ty = lp_jv_type(v);
    if (ty != LP_JSON_ARRAY && ty != LP_JSON_OBJECT) return 0;
    return (size_t)tok_of(v)->size;
}

/* Child i (for an object: key i). */
static lp_jv child(lp_jv v, size_t i) {
    if (i >= lp_jv_len(v)) return MISSING;
    lp_json_t *doc = (lp_json_t *)v.doc; /* the cache only */
    int j = v.tok + 1;
    size_t k = 0;
    if (doc->cache_parent == v.tok && (size_t)doc->cache_index <= i) {
        j = doc->cache_tok;
        k = (size_t)doc->cache_index;
    }
    for (; k < i; k++) j = doc->next[j];
    doc->cache_parent = v.tok;
    doc->cache_index = (int)i;
    doc->cache_tok = j;
    lp_jv c = {v.doc, j};
    return c;
}

lp_jv lp_jv_at(lp_jv v, size_t i) {
    lp_jv c = child(v, i);
    if (lp_jv_type(v) == LP_JSON_OBJECT && c.doc) c.tok++;
    return c;
}

lp_jv lp_jv_key_at(lp_jv object, size_t i) {
    if (lp_jv_type(object) != LP_JSON_OBJECT) return MISSING;
    return child(object, i);
}

bool lp_jv_str_eq(lp_jv v, const char *s) {
    const jsmntok_t *t = tok_of(v);
    if (!t || t->type != JSMN_STRING || !s) return false;
    const char *body = v.doc->text + t->start;
    size_t n = (size_t)(t->end - t->start), sl = strlen(s);
    if (!memchr(body, '\\', n)) return n == sl && memcmp(body, s, n) == 0;
    if (sl > n) return false; /* escapes only shrink */
    size_t len;
    char *d = lp_jv_str(v, &len);
    bool eq = d && len == sl && memcmp(d, s, sl) == 0;
    free(d);
    return eq;
}

lp_jv lp_jv_get(lp_jv object, const char *key) {
    if (lp_jv_type(object) != LP_JSON_OBJECT || !key) return MISSING;
    lp_jv found = MISSING;
    int j = object.tok + 1;
    for (int k = 0; k < object.doc->toks[object.tok].size; k++) {
        lp_jv kv = {object.doc, j};
        if (lp_jv_str_eq(kv, key)) {
            found.doc = object.doc;
            found.tok = j + 1;
        }
        j = object.doc->next[j];
    }
    return found;
}

char *lp_jv_str(lp_jv v, size_t *len) {
    const jsmntok_t *t = tok_of(v);
    if (!t || t->type != JSMN_STRING) return NULL;
    size_t n = (size_t)(t->end - t->start);
    char *out = malloc(n + 1);
    if (!out) lp__oom();
    long k = decode_string(v.doc->text + t->start, n, out);
    if (k < 0) { /* validated at parse time */
        free(out);
        return NULL;
    }
    out[k] = '\0';
    if (len) *len = (size_t)k;
    return out;
}

static bool parse_int(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    bool neg = false;
    if (n > 0 && s[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i >= n) return false;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t acc = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (acc > (limit - d) / 10) return false;
        acc = acc * 10 + d;
    }
    if (out) *out = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
    return true;
}

bool lp_jv_int(lp_jv v, int64_t *out) {
    if (lp_jv_type(v) != LP_JSON_NUMBER) return false;
    const jsmntok_t *t = tok_of(v);
    return parse_int(v.doc->text + t->start, (size_t)(t->end - t->start), out);
}

bool lp_jv_int_str(lp_jv v, int64_t *out) {
    if (lp_jv_int(v, out)) return true;
    if (lp_jv_type(v) != LP_JSON_STRING) return false;
    size_t len;
    char *s = lp_jv_str(v, &len);
    bool ok = s && len > 0 && !(len > 1 && s[0] == '0') && !(len > 2 && s[0] == '-' && s[1] == '0') &&
              parse_int(s, len, out);
    free(s);
    return ok;
}

bool lp_jv_double(lp_jv v, double *out) {
    if (lp_jv_type(v) != LP_JSON_NUMBER) return false;
    const jsmntok_t *t = tok_of(v);
    /* The token is followed by a delimiter, so strtod stops at its end. */
    char *end;
    double d = strtod(v.doc->text + t->start, &end);
    if (end != v.doc->text + t->end) return false;
    if (out) *out = d;
    return true;
}

bool lp_jv_bool(lp_jv v, bool *out) {
    if (lp_jv_type(v) != LP_JSON_BOOL) return false;
    if (out) *out = v.doc->text[tok_of(v)->start] == 't';
    return true;
}

const char *lp_jv_raw(lp_jv v, size_t *len) {
    const jsmntok_t *t = tok_of(v);
    if (!t) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = (size_t)(tok_end(t) - tok_begin(t));
    return v.doc->text + tok_begin(t);
}

/* ------------------------------------------------------------------------------------------ */
/* Buffers                                                                                     */

static void buf_reserve(lp_buf_t *b, size_t more) {
    if (more > SIZE_MAX - b->len - 1) lp__oom();
    size_t need = b->len + more + 1;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 32;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *d = realloc(b->data, cap);
    if (!d) lp__oom();
    b->data = d;
    b->cap = cap;
}

void lp_buf_append(lp_buf_t *b, const char *s, size_t len) {
    buf_reserve(b, len);
    if (len) memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void lp_buf_puts(lp_buf_t *b, const char *s) { lp_buf_append(b, s, strlen(s)); }

void lp_buf_vprintf(lp_buf_t *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    char small[128];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0) lp_panic("lp_buf_printf: bad format %s", fmt);
    if ((size_t)n < sizeof small) {
        lp_buf_append(b, small, (size_t)n);
        return;
    }
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void lp_buf_printf(lp_buf_t *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    lp_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *lp_buf_take(lp_buf_t *b) {
    char *s = b->data;
    if (!s) {
        s = malloc(1);
        if (!s) lp__oom();
        s[0] = '\0';
    }
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void lp_buf_free(lp_buf_t *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* JSON writing                                                                                */

void lp_jw_init(lp_jw_t *w) { memset(w, 0, sizeof *w); }

/* Before a value: a comma after a sibling; a value where a key belongs is misuse. */
static void jw_value(lp_jw_t *w) {
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0) {
        if (w->has_items[0]) w->failed = true; /* a second top-level value */
        w->has_items[0] = true;
        return;
    }
    if (w->is_object[w->depth]) {
        w->failed = true; /* a member without a key */
        return;
    }
    if (w->has_items[w->depth]) lp_buf_append(&w->buf, ",", 1);
    w->has_items[w->depth] = true;
}

static void jw_escaped(lp_buf_t *b, const char *s, size_t n) {
    lp_buf_append(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (c < 0x20) {
                snprintf(u, sizeof u, "\\u%04x", c);
                esc = u;
            }
        }
        if (esc) {
            lp_buf_append(b, s + run, i - run);
            lp_buf_puts(b, esc);
            run = i + 1;
        }
    }
    lp_buf_append(b, s + run, n - run);
    lp_buf_append(b, "\"", 1);
}

static void jw_begin(lp_jw_t *w, bool object) {
    jw_value(w);
    if (w->depth >= LP_JW_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    lp_buf_append(&w->buf, object ? "{" : "[", 1);
    w->depth++;
    w->has_items[w->depth] = false;
    w->is_object[w->depth] = object;
}

static void jw_end(lp_jw_t *w, bool object) {
    if (w->failed) return;
    if (w->depth == 0 || w->after_key || w->is_object[w->depth] != object) {
        w->failed = true;
        return;
    }
    lp_buf_append(&w->buf, object ? "}" : "]", 1);
    w->depth--;
}

void lp_jw_object_begin(lp_jw_t *w) { jw_begin(w, true); }
void lp_jw_array_begin(lp_jw_t *w) { jw_begin(w, false); }
void lp_jw_object_end(lp_jw_t *w) { jw_end(w, true); }
void lp_jw_array_end(lp_jw_t *w) { jw_end(w, false); }

void lp_jw_key(lp_jw_t *w, const char *key) {
    if (w->depth == 0 || !w->is_object[w->depth] || w->after_key) {
        w->failed = true;
        return;
    }
    if (w->has_items[w->depth]) lp_buf_append(&w->buf, ",", 1);
    w->has_items[w->depth] = true;
    jw_escaped(&w->buf, key, strlen(key));
    lp_buf_append(&w->buf, ":", 1);
    w->after_key = true;
}

void lp_jw_stringn(lp_jw_t *w, const char *s, size_t len) {
    jw_value(w);
    jw_escaped(&w->buf, s, len);
}

void lp_jw_string(lp_jw_t *w, const char *s) { lp_jw_stringn(w, s, strlen(s)); }

void lp_jw_int(lp_jw_t *w, int64_t n) {
    jw_value(w);
    lp_buf_printf(&w->buf, "%lld", (long long)n);
}

void lp_jw_double(lp_jw_t *w, double d) {
    jw_value(w);
    if (isnan(d) || isinf(d)) {
        lp_buf_puts(&w->buf, "null");
        return;
    }
    lp_buf_printf(&w->buf, "%.17g", d);
}

void lp_jw_bool(lp_jw_t *w, bool b) {
    jw_value(w);
    lp_buf_puts(&w->buf, b ? "true" : "false");
}

void lp_jw_null(lp_jw_t *w) {
    jw_value(w);
    lp_buf_puts(&w->buf, "null");
}

void lp_jw_raw(lp_jw_t *w, const char *json) {
    jw_value(w);
    lp_buf_puts(&w->buf, json);
}

char *lp_jw_finish(lp_jw_t *w) {
    if (w->failed || w->depth != 0 || w->after_key || !w->has_items[0]) {
        lp_jw_free(w);
        return NULL;
    }
    return lp_buf_take(&w->buf);
}

void lp_jw_free(lp_jw_t *w) {
    lp_buf_free(&w->buf);
    lp_jw_init(w);
}
