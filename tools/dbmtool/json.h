/* A small JSON reader (RFC 8259) for the files dbmtool reads back, such as
 * the campaign measurement export shown by `dbmtool report`.
 *
 * The input is hostile: nesting is limited to DBMTOOL_JSON_MAX_DEPTH,
 * strings must be valid UTF-8 without NUL (also not as \u0000), numbers
 * must fit a double, and an error names the line and column where the text
 * stopped making sense. The whole document becomes a tree of values. */
#ifndef DBMTOOL_JSON_H
#define DBMTOOL_JSON_H

#include <stddef.h>

#define DBMTOOL_JSON_MAX_DEPTH 64

enum dbmtool_json_type {
    DBMTOOL_JSON_NULL, DBMTOOL_JSON_FALSE, DBMTOOL_JSON_TRUE, DBMTOOL_JSON_NUMBER,
    DBMTOOL_JSON_STRING, DBMTOOL_JSON_ARRAY, DBMTOOL_JSON_OBJECT
};

/* One value. Arrays and objects list their elements from @c child through
 * @c next; an object's members carry their name in @c key. */
typedef struct dbmtool_json {
    int type;                   /* enum dbmtool_json_type */
    double number;              /* DBMTOOL_JSON_NUMBER */
    char *string;               /* DBMTOOL_JSON_STRING, NUL-terminated UTF-8 */
    char *key;                  /* member name inside an object, else NULL */
    struct dbmtool_json *child; /* first element or member */
    struct dbmtool_json *next;  /* next sibling */
} dbmtool_json;

/* Parses @p len bytes of @p text. On success returns 0 and stores the tree
 * in @p out (free it with dbmtool_json_free()). On failure returns -1 and
 * writes "line L, column C: what" into @p error (@p error_size bytes). */
int dbmtool_json_parse(dbmtool_json **out, const char *text, size_t len, char *error,
                       size_t error_size);

/* As dbmtool_json_parse() for a sequence of one or more values separated
 * by white space (such as exports concatenated with cat), returned as the
 * elements of an array. */
int dbmtool_json_parse_many(dbmtool_json **out, const char *text, size_t len, char *error,
                            size_t error_size);

void dbmtool_json_free(dbmtool_json *value);

/* The member @p key of object @p object (the first one when repeated), or
 * NULL when @p object is not an object or has no such member. */
const dbmtool_json *dbmtool_json_member(const dbmtool_json *object, const char *key);

#endif
