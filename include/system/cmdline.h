/*
 * cmdline.h: the "first[,key=value]..." option strings of the command line.
 *
 * Most options take one string of comma-separated elements: -device,
 * -machine, -accel, -smp, -m, -object.  This parser splits such a string
 * into an ordered list of key/value pairs, so that every option reads its
 * arguments the same way and reports malformed ones the same way:
 *
 *     "isa-serial,iobase=0x2f8,id=com2"   with implied key "driver"
 *         -> driver=isa-serial  iobase=0x2f8  id=com2
 *     "4,sockets=2,cores=2"               with implied key "cpus"
 *         -> cpus=4  sockets=2  cores=2
 *     "file,path=/tmp/a,,b"               ",," is a literal comma
 *         -> ...  path=/tmp/a,b
 *
 * Only the first element may omit "key=" when the option has an implied
 * key.  A later element without '=' is a flag: "help" (for -device
 * DRIVER,help) or a boolean key meaning "on".  Keys are kept in order;
 * when a key repeats, the last value wins for opts_get().
 *
 * Plain data; no locks; called from main() while parsing the command line
 * and by anything that parses option strings (device_new_from_opts).
 */
#ifndef SYSTEM_CMDLINE_H
#define SYSTEM_CMDLINE_H

#include "util/error.h"

typedef struct OptPair {
    char *key;
    char *value;          /* "on" for a bare flag */
    bool bare;            /* given without '=' (e.g. "help") */
    bool used;            /* set by opts_get(); see opts_check_unused() */
} OptPair;

typedef struct Opts {
    GPtrArray *pairs;     /* OptPair *, in order of appearance */
} Opts;

/*
 * Parses str.  implied_key names the first element when it has no '='
 * (NULL: every element needs "key=", except bare flags).  Fails on an
 * empty key ("=x") or an empty string where an element was expected.
 */
Opts *opts_parse(const char *str, const char *implied_key, Error **errp);
void opts_free(Opts *opts);

/* The last value given for key, or NULL.  Marks the key as used. */
const char *opts_get(Opts *opts, const char *key);
bool opts_has(Opts *opts, const char *key);
/* True if a bare "help" (or "?") element was given.  Marks it used. */
bool opts_wants_help(Opts *opts);
/*
 * Fails, naming the first key nobody asked for with opts_get() (in the
 * form "invalid <what> property 'key'"), so that typos are errors.
 */
bool opts_check_unused(Opts *opts, const char *what, Error **errp);

/*
 * Typed getters: return true and store *val, or leave *val unchanged when
 * the key is absent.  A malformed value fails with an error naming the key
 * and the value ("cores=x: invalid number").
 */
bool opts_get_uint64(Opts *opts, const char *key, uint64_t *val,
                     Error **errp);
bool opts_get_bool(Opts *opts, const char *key, bool *val, Error **errp);

/* An id is a letter followed by letters, digits, '-', '.' or '_'. */
bool id_wellformed(const char *id);

#endif
