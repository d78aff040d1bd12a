/* The JSON reader and writer. */
#include <math.h>

#include "liveplug.h"
#include "check.h"

static bool valid(const char *s) {
    lp_json_t *d = lp_json_parse(s, strlen(s));
    lp_json_free(d);
    return d != NULL;
}

static void accepts_every_valid_shape(void) {
    const char *ok[] = {
        "null", "true", "false", "0", "-0", "12", "-3.25", "1e9", "1E+2", "2.5e-3", "\"\"", "\"a\"",
        "[]", "{}", " [ ] ", "\n{\t}\r", "[1,2,3]", "[[[]]]", "{\"a\":1}", "{\"a\":{\"b\":[true,null]}}",
        "{ \"a\" : 1 , \"b\" : [ 1 , 2 ] }", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u00e9\\uD83D\\uDE00\"",
        "\"é✓😀\"", "[\"a\",{\"b\":\"c\"},3]", "{\"\":\"\"}", "{\"a\":1,\"a\":2}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        if (!valid(ok[i])) fprintf(stderr, "rejected: %s\n", ok[i]);
        CHECK(valid(ok[i]));
    }
}

static void rejects_malformed_text(void) {
    const char *bad[] = {
        "", " ", "nul", "nulll", "tru", "True", "01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN",
        "1 2", "[] []", "[1,]", "[,1]", "[1,,2]", "[1 2]", "{\"a\":1,}", "{,\"a\":1}", "{\"a\" 1}",
        "{\"a\"}", "{\"a\":}", "{\"a\":1 \"b\":2}", "{1:2}", "{[]:1}", "[", "]", "{", "}", "[}", "{]",
        "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\uD800\"", "\"\\uDC00\"",
        "\"\\uD800\\u0041\"", "'a'", "[1]x", "{\"a\":1}}", "abc", "[true false]", "{\"a\":1::2}",
        "[1,2]]", "[\"a\":1]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (valid(bad[i])) fprintf(stderr, "accepted: %s\n", bad[i]);
        CHECK(!valid(bad[i]));
    }
    /* A NUL inside the text is not JSON, even after a valid prefix. */
    CHECK(lp_json_parse("{}\0{}", 5) == NULL);
    lp_json_t *d = lp_json_parse("{}", 2);
    CHECK(d != NULL);
    lp_json_free(d);
}

static void reads_nested_values(void) {
    const char *s = "{\"todo\":{\"title\":\"  Buy milk \\\"2%\\\" \\u00e9\"},\"id\":\"3\",\"n\":-42,"
                    "\"big\":9223372036854775807,\"over\":9223372036854775808,\"f\":2.5,\"on\":true,"
                    "\"off\":false,\"nil\":null,\"list\":[10,\"x\",[1]]}";
    lp_json_t *d = lp_json_parse(s, strlen(s));
    CHECK(d != NULL);
    if (!d) return;
    lp_jv root = lp_json_root(d);
    CHECK(lp_jv_type(root) == LP_JSON_OBJECT);
    CHECK(lp_jv_len(root) == 10);

    size_t len = 0;
    char *title = lp_jv_str(lp_jv_get(lp_jv_get(root, "todo"), "title"), &len);
    CHECK_STR(title, "  Buy milk \"2%\" \xc3\xa9");
    CHECK(len == strlen("  Buy milk \"2%\" \xc3\xa9"));
    free(title);

    int64_t n = 0;
    CHECK(lp_jv_int(lp_jv_get(root, "n"), &n) && n == -42);
    CHECK(lp_jv_int(lp_jv_get(root, "big"), &n) && n == INT64_MAX);
    CHECK(!lp_jv_int(lp_jv_get(root, "over"), &n));
    CHECK(!lp_jv_int(lp_jv_get(root, "f"), &n));
    CHECK(!lp_jv_int(lp_jv_get(root, "id"), &n));
    CHECK(lp_jv_int_str(lp_jv_get(root, "id"), &n) && n == 3);
    CHECK(lp_jv_int_str(lp_jv_get(root, "n"), &n) && n == -42);
    double f = 0;
    CHECK(lp_jv_double(lp_jv_get(root, "f"), &f) && f == 2.5);
    CHECK(lp_jv_double(lp_jv_get(root, "n"), &f) && f == -42.0);
    bool b = false;
    CHECK(lp_jv_bool(lp_jv_get(root, "on"), &b) && b);
    CHECK(lp_jv_bool(lp_jv_get(root, "off"), &b) && !b);
    CHECK(!lp_jv_bool(lp_jv_get(root, "nil"), &b));
    CHECK(lp_jv_is_null(lp_jv_get(root, "nil")));
    CHECK(!lp_jv_is_null(lp_jv_get(root, "absent")));

    lp_jv list = lp_jv_get(root, "list");
    CHECK(lp_jv_type(list) == LP_JSON_ARRAY && lp_jv_len(list) == 3);
    CHECK(lp_jv_int(lp_jv_at(list, 0), &n) && n == 10);
    CHECK(lp_jv_str_eq(lp_jv_at(list, 1), "x"));
    CHECK(lp_jv_type(lp_jv_at(list, 2)) == LP_JSON_ARRAY);
    CHECK(!lp_jv_ok(lp_jv_at(list, 3)));

    /* Object members by index. */
    CHECK(lp_jv_str_eq(lp_jv_key_at(root, 1), "id"));
    CHECK(lp_jv_str_eq(lp_jv_at(root, 1), "3"));
    CHECK(!lp_jv_ok(lp_jv_key_at(list, 0)));

    /* Raw text of a value. */
    size_t rl;
    const char *raw = lp_jv_raw(lp_jv_get(root, "todo"), &rl);
    CHECK(raw && rl == strlen("{\"title\":\"  Buy milk \\\"2%\\\" \\u00e9\"}"));
    raw = lp_jv_raw(lp_jv_get(root, "id"), &rl);
    CHECK(raw && rl == 3 && memcmp(raw, "\"3\"", 3) == 0);

    /* Missing values chain and answer "no". */
    lp_jv missing = lp_jv_get(lp_jv_get(lp_jv_get(root, "nope"), "a"), "b");
    CHECK(!lp_jv_ok(missing));
    CHECK(lp_jv_type(missing) == LP_JSON_MISSING);
    CHECK(lp_jv_str(missing, NULL) == NULL);
    CHECK(!lp_jv_int(missing, &n));
    CHECK(lp_jv_len(missing) == 0);
    CHECK(!lp_jv_ok(lp_jv_get(list, "x")));
    CHECK(lp_jv_str(lp_jv_get(root, "n"), NULL) == NULL);
    lp_json_free(d);
}

static void strings_decode_escapes_and_keys_match_decoded(void) {
    const char *s = "{\"a\\u0062\":\"\\uD83D\\uDE00\",\"nul\":\"x\\u0000y\",\"a\":1,\"a\":2}";
    lp_json_t *d = lp_json_parse(s, strlen(s));
    CHECK(d != NULL);
    if (!d) return;
    lp_jv root = lp_json_root(d);
    char *v = lp_jv_str(lp_jv_get(root, "ab"), NULL);
    CHECK_STR(v, "\xF0\x9F\x98\x80");
    free(v);
    size_t len = 0;
    v = lp_jv_str(lp_jv_get(root, "nul"), &len);
    CHECK(v && len == 3 && memcmp(v, "x\0y", 3) == 0);
    free(v);
    int64_t n = 0;
    /* A repeated key: the last one wins, as in serde_json. */
    CHECK(lp_jv_int(lp_jv_get(root, "a"), &n) && n == 2);
    CHECK(!lp_jv_str_eq(lp_jv_get(root, "ab"), "ab"));
    lp_json_free(d);
}

static void int_strings_are_strict(void) {
    const char *cases[][2] = {{"\"12\"", "12"}, {"\"-7\"", "-7"}, {"\"0\"", "0"}};
    for (size_t i = 0; i < 3; i++) {
        lp_json_t *d = lp_json_parse(cases[i][0], strlen(cases[i][0]));
        int64_t n = 99;
        CHECK(lp_jv_int_str(lp_json_root(d), &n) && n == atoll(cases[i][1]));
        lp_json_free(d);
    }
    const char *bad[] = {"\"\"", "\"1a\"", "\" 1\"", "\"1.0\"", "\"01\"", "\"-\"", "\"99999999999999999999\"",
                         "true", "null", "[1]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lp_json_t *d = lp_json_parse(bad[i], strlen(bad[i]));
        CHECK(d != NULL);
        int64_t n;
        if (lp_jv_int_str(lp_json_root(d), &n)) fprintf(stderr, "accepted as int: %s\n", bad[i]);
        CHECK(!lp_jv_int_str(lp_json_root(d), &n));
        lp_json_free(d);
    }
}

static char *nested(size_t depth, char open, char close) {
    char *s = malloc(depth * 2 + 1);
    memset(s, open, depth);
    memset(s + depth, close, depth);
    s[depth * 2] = '\0';
    return s;
}

static void nesting_is_bounded_and_needs_no_stack(void) {
    char *s = nested(LP_JSON_MAX_DEPTH, '[', ']');
    lp_json_t *d = lp_json_parse(s, strlen(s));
    CHECK(d != NULL);
    lp_jv v = lp_json_root(d);
    for (int i = 0; i < LP_JSON_MAX_DEPTH - 1; i++) v = lp_jv_at(v, 0);
    CHECK(lp_jv_type(v) == LP_JSON_ARRAY && lp_jv_len(v) == 0);
    lp_json_free(d);
    s[strlen(s) - 1] = '}';
    CHECK(lp_json_parse(s, strlen(s)) == NULL);
    free(s);
    /* One level more is refused, fast. */
    s = nested(LP_JSON_MAX_DEPTH + 1, '[', ']');
    CHECK(lp_json_parse(s, strlen(s)) == NULL);
    free(s);
    s = nested(1000000, '[', ']');
    CHECK(lp_json_parse(s, strlen(s)) == NULL);
    free(s);
    /* Brackets inside strings do not count. */
    lp_buf_t b = {0};
    lp_buf_puts(&b, "[\"");
    for (int i = 0; i < 2000; i++) lp_buf_puts(&b, "[{\\\"");
    lp_buf_puts(&b, "\"]");
    d = lp_json_parse(b.data, b.len);
    CHECK(d != NULL);
    lp_json_free(d);
    lp_buf_free(&b);
}

static void large_arrays_iterate_linearly(void) {
    lp_buf_t b = {0};
    lp_buf_puts(&b, "[");
    for (int i = 0; i < 200000; i++) lp_buf_printf(&b, "%s{\"id\":%d}", i ? "," : "", i);
    lp_buf_puts(&b, "]");
    lp_json_t *d = lp_json_parse(b.data, b.len);
    CHECK(d != NULL);
    lp_jv list = lp_json_root(d);
    CHECK(lp_jv_len(list) == 200000);
    int64_t sum = 0, n;
    for (size_t i = 0; i < lp_jv_len(list); i++)
        if (lp_jv_int(lp_jv_get(lp_jv_at(list, i), "id"), &n)) sum += n;
    CHECK(sum == (int64_t)199999 * 200000 / 2);
    /* Going back still works (the cache restarts). */
    CHECK(lp_jv_int(lp_jv_get(lp_jv_at(list, 5), "id"), &n) && n == 5);
    lp_json_free(d);
    lp_buf_free(&b);
}

static void writer_places_separators_and_escapes(void) {
    lp_jw_t w;
    lp_jw_init(&w);
    lp_jw_object_begin(&w);
    lp_jw_key(&w, "v");
    lp_jw_int(&w, 1);
    lp_jw_key(&w, "s");
    lp_jw_string(&w, "a\"b\\c\n\x01 é</script>");
    lp_jw_key(&w, "list");
    lp_jw_array_begin(&w);
    lp_jw_bool(&w, true);
    lp_jw_null(&w);
    lp_jw_double(&w, 2.5);
    lp_jw_double(&w, NAN);
    lp_jw_array_begin(&w);
    lp_jw_array_end(&w);
    lp_jw_object_begin(&w);
    lp_jw_object_end(&w);
    lp_jw_raw(&w, "{\"x\":1}");
    lp_jw_int(&w, INT64_MIN);
    lp_jw_array_end(&w);
    lp_jw_object_end(&w);
    char *out = lp_jw_finish(&w);
    CHECK_STR(out, "{\"v\":1,\"s\":\"a\\\"b\\\\c\\n\\u0001 é</script>\",\"list\":[true,null,2.5,null,[],{},{\"x\":1},"
                   "-9223372036854775808]}");
    /* What it writes, the reader reads back. */
    lp_json_t *d = lp_json_parse(out, strlen(out));
    CHECK(d != NULL);
    char *s = lp_jv_str(lp_jv_get(lp_json_root(d), "s"), NULL);
    CHECK_STR(s, "a\"b\\c\n\x01 é</script>");
    free(s);
    lp_json_free(d);
    free(out);
}

static void writer_refuses_misuse(void) {
    lp_jw_t w;
    lp_jw_init(&w);
    CHECK(lp_jw_finish(&w) == NULL); /* nothing written */

    lp_jw_init(&w);
    lp_jw_object_begin(&w);
    lp_jw_int(&w, 1); /* a value without a key */
    lp_jw_object_end(&w);
    CHECK(lp_jw_finish(&w) == NULL);

    lp_jw_init(&w);
    lp_jw_array_begin(&w);
    lp_jw_key(&w, "k"); /* a key in an array */
    CHECK(lp_jw_finish(&w) == NULL);

    lp_jw_init(&w);
    lp_jw_object_begin(&w);
    lp_jw_array_end(&w); /* mismatched */
    CHECK(lp_jw_finish(&w) == NULL);

    lp_jw_init(&w);
    lp_jw_object_begin(&w); /* unclosed */
    CHECK(lp_jw_finish(&w) == NULL);

    lp_jw_init(&w);
    lp_jw_int(&w, 1);
    lp_jw_int(&w, 2); /* two top-level values */
    CHECK(lp_jw_finish(&w) == NULL);

    lp_jw_init(&w);
    for (int i = 0; i < LP_JW_MAX_DEPTH + 1; i++) lp_jw_array_begin(&w);
    for (int i = 0; i < LP_JW_MAX_DEPTH + 1; i++) lp_jw_array_end(&w);
    CHECK(lp_jw_finish(&w) == NULL);

    lp_jw_init(&w);
    lp_jw_string(&w, "top");
    CHECK_OWNED(lp_jw_finish(&w), "\"top\"");
}

static void buffers_grow(void) {
    lp_buf_t b = {0};
    for (int i = 0; i < 1000; i++) lp_buf_printf(&b, "%d,", i % 10);
    CHECK(b.len == 2000);
    lp_buf_printf(&b, "%300s", "x");
    CHECK(b.len == 2300 && b.data[2299] == 'x' && b.data[2300] == '\0');
    char *s = lp_buf_take(&b);
    CHECK(strncmp(s, "0,1,2,", 6) == 0);
    free(s);
    CHECK(b.data == NULL && b.len == 0);
    CHECK_OWNED(lp_buf_take(&b), "");
}

int main(void) {
    RUN(accepts_every_valid_shape);
    RUN(rejects_malformed_text);
    RUN(reads_nested_values);
    RUN(strings_decode_escapes_and_keys_match_decoded);
    RUN(int_strings_are_strict);
    RUN(nesting_is_bounded_and_needs_no_stack);
    RUN(large_arrays_iterate_linearly);
    RUN(writer_places_separators_and_escapes);
    RUN(writer_refuses_misuse);
    RUN(buffers_grow);
    CHECK_DONE();
}

/* This test has no view; the SDK's lifecycle wants a render to link. */
lp_node lp_view_render(lp_render_t *r) { return lp_text(r, ""); }
