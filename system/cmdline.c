/*
 * cmdline.c: the key=value option-string parser.  See system/cmdline.h.
 *
 * The string is scanned once, left to right.  An element ends at a single
 * ',' ; a doubled ",," is copied as one literal comma and does not end the
 * element.  Each element is split at its first '=' into key and value.
 * The parser keeps no global state.
 */
#include "util/osdep.h"
#include "system/cmdline.h"
#include "hw/qdev.h"

static void opt_pair_free(gpointer p)
{
    OptPair *pair = p;

    g_free(pair->key);
    g_free(pair->value);
    g_free(pair);
}

/*
 * Copies one element starting at *pp, unescaping ",,"; advances *pp past
 * the terminating ',' and sets *more if there was one (so "a," has a second,
 * empty element).
 */
static char *opts_next_element(const char **pp, bool *more)
{
    GString *s = g_string_new(NULL);
    const char *p = *pp;

    *more = false;
    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(s, ',');
                p += 2;
                continue;
            }
            p++;
            *more = true;
            break;
        }
        g_string_append_c(s, *p++);
    }
    *pp = p;
    return g_string_free(s, false);
}

Opts *opts_parse(const char *str, const char *implied_key, Error **errp)
{
    Opts *opts = g_new0(Opts, 1);
    const char *p = str;
    bool first = true, more = true;

    opts->pairs = g_ptr_array_new_with_free_func(opt_pair_free);
    if (!*str) {
        error_setg(errp, "empty argument");
        goto fail;
    }
    while (more) {
        char *elem = opts_next_element(&p, &more);
        char *eq = strchr(elem, '=');
        OptPair *pair = g_new0(OptPair, 1);

        if (!*elem) {
            error_setg(errp, "empty parameter in '%s'", str);
            g_free(pair);
            g_free(elem);
            goto fail;
        }
        if (eq) {
            if (eq == elem) {
                error_setg(errp, "parameter '%s' has no name", elem);
                g_free(pair);
                g_free(elem);
                goto fail;
            }
            pair->key = g_strndup(elem, eq - elem);
            pair->value = g_strdup(eq + 1);
        } else if (first && implied_key &&
                   strcmp(elem, "help") && strcmp(elem, "?")) {
            pair->key = g_strdup(implied_key);
            pair->value = g_strdup(elem);
        } else {
            pair->key = g_strdup(elem);
            pair->value = g_strdup("on");
            pair->bare = true;
        }
        g_free(elem);
        g_ptr_array_add(opts->pairs, pair);
        first = false;
    }
    return opts;

fail:
    opts_free(opts);
    return NULL;
}

void opts_free(Opts *opts)
{
    if (opts) {
        g_ptr_array_free(opts->pairs, true);
        g_free(opts);
    }
}

static OptPair *opts_find(Opts *opts, const char *key)
{
    OptPair *found = NULL;

    for (guint i = 0; i < opts->pairs->len; i++) {
        OptPair *pair = g_ptr_array_index(opts->pairs, i);

        if (!strcmp(pair->key, key)) {
            pair->used = true;      /* every repetition counts as consumed */
            found = pair;
        }
    }
    return found;
}

const char *opts_get(Opts *opts, const char *key)
{
    OptPair *pair = opts_find(opts, key);

    return pair ? pair->value : NULL;
}

bool opts_has(Opts *opts, const char *key)
{
    for (guint i = 0; i < opts->pairs->len; i++) {
        OptPair *pair = g_ptr_array_index(opts->pairs, i);

        if (!strcmp(pair->key, key)) {
            return true;
        }
    }
    return false;
}

bool opts_wants_help(Opts *opts)
{
    bool help = false;

    for (guint i = 0; i < opts->pairs->len; i++) {
        OptPair *pair = g_ptr_array_index(opts->pairs, i);

        if (pair->bare && (!strcmp(pair->key, "help") ||
                           !strcmp(pair->key, "?"))) {
            pair->used = true;
            help = true;
        }
    }
    return help;
}

bool opts_check_unused(Opts *opts, const char *what, Error **errp)
{
    for (guint i = 0; i < opts->pairs->len; i++) {
        OptPair *pair = g_ptr_array_index(opts->pairs, i);

        if (!pair->used) {
            error_setg(errp, "invalid %s property '%s'", what, pair->key);
            return false;
        }
    }
    return true;
}

bool opts_get_uint64(Opts *opts, const char *key, uint64_t *val,
                     Error **errp)
{
    const char *v = opts_get(opts, key);

    if (!v) {
        return true;
    }
    if (!parse_uint64(v, val)) {
        error_setg(errp, "%s=%s: invalid number", key, v);
        return false;
    }
    return true;
}

bool opts_get_bool(Opts *opts, const char *key, bool *val, Error **errp)
{
    const char *v = opts_get(opts, key);

    if (!v) {
        return true;
    }
    if (!parse_bool(v, val)) {
        error_setg(errp, "%s=%s: expected on or off", key, v);
        return false;
    }
    return true;
}

bool id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}
