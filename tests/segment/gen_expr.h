/* A generator of random well-typed segment expressions over the fields the
 * fake source knows (and a few it does not), written as text. */
#ifndef LIBDBM_TEST_GEN_EXPR_H
#define LIBDBM_TEST_GEN_EXPR_H

#include <stddef.h>
#include <stdint.h>

typedef struct gen_state {
    uint64_t rng;
    char *buf;
    size_t len, cap;
    int max_depth;
    int nrefs;              /* segment("r0") .. segment("r<nrefs-1>") may be used */
} gen_state;

uint64_t gen_next(gen_state *g);
/* Writes a random condition into g->buf (NUL-terminated). */
void gen_expression(gen_state *g);

#endif
