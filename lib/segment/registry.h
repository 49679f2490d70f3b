/* Named segments (registry.c) and segment reference counting. */
#ifndef LIBDBM_SEGMENT_REGISTRY_H
#define LIBDBM_SEGMENT_REGISTRY_H

#include "ast.h"

/* The segment defined as @p name, or NULL. */
libdbm_segment *dbmi_seg_registry_lookup(const libdbm_segment_registry *reg,
                                         const char *name);
void dbmi_seg_retain(libdbm_segment *seg);
/* Frees a segment's storage (used by libdbm_segment_free at refcount 0). */
void dbmi_seg_destroy(libdbm_segment *seg);

#endif
