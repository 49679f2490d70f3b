/* Segment lifetime (atomic reference counts: compiled segments are shared
 * by hosts, registries and the segments that refer to them) and the
 * registry of named segments. */
#include <string.h>

#include "context_private.h"
#include "registry.h"

typedef struct registry_entry {
    char *name;
    libdbm_segment *seg;
} registry_entry;

struct libdbm_segment_registry {
    libdbm_context *ctx;
    registry_entry *entries;
    size_t count, cap;
};

void dbmi_seg_retain(libdbm_segment *seg)
{
    __atomic_fetch_add(&seg->refcount, 1, __ATOMIC_RELAXED);
}

void dbmi_seg_destroy(libdbm_segment *seg)
{
    libdbm_context *ctx;
    uint32_t i;
    if (seg == NULL)
        return;
    ctx = seg->ctx;
    for (i = 0; i < seg->nrefs; i++) {
        libdbm_segment_free(seg->refs[i]);
        dbmi_free(ctx, seg->ref_names[i]);
    }
    dbmi_free(ctx, seg->refs);
    dbmi_free(ctx, seg->ref_names);
    dbmi_free(ctx, seg->nodes);
    dbmi_free(ctx, seg->kids);
    dbmi_free(ctx, seg->strings);
    dbmi_free(ctx, seg);
}

LIBDBM_API void libdbm_segment_free(libdbm_segment *seg)
{
    /* References form a DAG whose depth is bounded by DBMI_SEG_MAX_DEPTH,
     * so the recursion through dbmi_seg_destroy is bounded too. */
    if (seg != NULL && __atomic_sub_fetch(&seg->refcount, 1, __ATOMIC_ACQ_REL) == 0)
        dbmi_seg_destroy(seg);
}

LIBDBM_API int libdbm_segment_registry_new(libdbm_segment_registry **out, libdbm_context *ctx)
{
    libdbm_segment_registry *reg;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL)
        return ctx ? dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_segment_registry_new: NULL argument")
                   : LIBDBM_EINVAL;
    reg = dbmi_calloc(ctx, 1, sizeof(*reg));
    if (reg == NULL)
        return dbmi_error_nomem(ctx, "segment registry");
    reg->ctx = ctx;
    *out = reg;
    return LIBDBM_OK;
}

LIBDBM_API void libdbm_segment_registry_free(libdbm_segment_registry *reg)
{
    size_t i;
    if (reg == NULL)
        return;
    for (i = 0; i < reg->count; i++) {
        dbmi_free(reg->ctx, reg->entries[i].name);
        libdbm_segment_free(reg->entries[i].seg);
    }
    dbmi_free(reg->ctx, reg->entries);
    dbmi_free(reg->ctx, reg);
}

libdbm_segment *dbmi_seg_registry_lookup(const libdbm_segment_registry *reg, const char *name)
{
    size_t i;
    for (i = 0; i < reg->count; i++)
        if (strcmp(reg->entries[i].name, name) == 0)
            return reg->entries[i].seg;
    return NULL;
}

/* Whether @p seg refers, directly or not, to a segment by @p name. The
 * reference graph is a DAG of bounded depth. */
static int refers_to(const libdbm_segment *seg, const char *name)
{
    uint32_t i;
    for (i = 0; i < seg->nrefs; i++)
        if (strcmp(seg->ref_names[i], name) == 0 || refers_to(seg->refs[i], name))
            return 1;
    return 0;
}

static int valid_name(const char *name)
{
    size_t i, len = strlen(name);
    if (len < 1 || len > 64)
        return 0;
    for (i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'))))
            return 0;
    }
    return 1;
}

LIBDBM_API int libdbm_segment_registry_define(libdbm_segment_registry *reg, const char *name,
                                              libdbm_segment *seg)
{
    size_t i;
    char *copy;
    if (reg == NULL)
        return LIBDBM_EINVAL;
    if (name == NULL || seg == NULL)
        return dbmi_error(reg->ctx, LIBDBM_EINVAL, "libdbm_segment_registry_define: NULL argument");
    if (!valid_name(name))
        return dbmi_error(reg->ctx, LIBDBM_EINVAL,
                          "segment name \"%.64s\" is not 1 to 64 of [A-Za-z0-9_.-] "
                          "starting with a letter or '_'", name);
    if (refers_to(seg, name))
        return dbmi_error(reg->ctx, LIBDBM_EINVAL,
                          "segment \"%s\" would refer to itself (a cycle through segment(\"%s\"))",
                          name, name);
    for (i = 0; i < reg->count; i++) {
        if (strcmp(reg->entries[i].name, name) == 0) {
            dbmi_seg_retain(seg);
            libdbm_segment_free(reg->entries[i].seg);
            reg->entries[i].seg = seg;
            return LIBDBM_OK;
        }
    }
    if (reg->count + 1 > reg->cap) {
        void *a = reg->entries;
        int status = dbmi_grow_array(reg->ctx, &a, &reg->cap, reg->count + 1, sizeof(*reg->entries));
        if (status != LIBDBM_OK)
            return status;
        reg->entries = a;
    }
    copy = dbmi_strdup(reg->ctx, name);
    if (copy == NULL)
        return dbmi_error_nomem(reg->ctx, "segment name");
    dbmi_seg_retain(seg);
    reg->entries[reg->count].name = copy;
    reg->entries[reg->count].seg = seg;
    reg->count++;
    return LIBDBM_OK;
}
