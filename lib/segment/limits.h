/* Documented limits of the segment language (docs/segments.md). Inputs over
 * them fail with LIBDBM_ELIMIT and a message, never with a deep recursion. */
#ifndef LIBDBM_SEGMENT_LIMITS_H
#define LIBDBM_SEGMENT_LIMITS_H

/* Bytes of expression text. */
#define DBMI_SEG_MAX_TEXT 65536u
/* Nesting of parentheses and `not`, including that of referenced segments. */
#define DBMI_SEG_MAX_DEPTH 256u
/* Nodes of one compiled expression (literals, fields, operators). */
#define DBMI_SEG_MAX_NODES 10000u

#endif
