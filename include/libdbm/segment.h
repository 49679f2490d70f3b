/*
 * libdbm — segments: expressions that say which profiles are in a segment.
 *
 * A segment expression (docs/segments.md) is compiled once into an
 * immutable libdbm_segment, then evaluated over every profile of a store,
 * giving a member set (libdbm_members) that can be counted, iterated and
 * combined. Include <libdbm.h> rather than this file.
 *
 * Threads: compiled segments are immutable and may be shared and evaluated
 * by many threads at once (their reference count is atomic). A registry is
 * not synchronised: fill it from one thread (or lock around it) and compile
 * from it while nobody defines. Member sets are immutable once returned and
 * may be read by many threads.
 *
 * This header is part of the stable ABI: see docs/abi-stability.md.
 */
#ifndef LIBDBM_SEGMENT_H
#define LIBDBM_SEGMENT_H

#include "libdbm/common.h"
#include "libdbm/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A compiled segment expression (opaque, immutable). @since 0.1 */
typedef struct libdbm_segment libdbm_segment;
/** Named segments that expressions refer to with segment("name"). @since 0.1 */
typedef struct libdbm_segment_registry libdbm_segment_registry;
/** A set of profiles (store slots), the result of an evaluation. @since 0.1 */
typedef struct libdbm_members libdbm_members;

/**
 * Compiles @p expression (NUL-terminated UTF-8, at most 64 KiB).
 *
 * @param out receives the segment, owned by the caller (libdbm_segment_free);
 *        set to NULL on failure.
 * @param ctx the context whose allocator and error slot are used; it must
 *        outlive the segment.
 * @return LIBDBM_OK; LIBDBM_ESYNTAX for a lexical, grammatical or type error,
 *         with the message "line L, column C: expected X, found Y" in
 *         libdbm_context_errmsg(ctx) (lines and columns are 1-based, columns
 *         count UTF-8 code points) and the position available through
 *         libdbm_segment_last_error(); LIBDBM_ENOTFOUND for segment("name")
 *         (compiling without a registry, or a name the registry lacks);
 *         LIBDBM_ELIMIT when the text exceeds 64 KiB, nesting exceeds 256
 *         levels or the expression exceeds 10000 nodes; LIBDBM_EINVAL for
 *         NULL arguments; LIBDBM_ENOMEM.
 * Thread-safe (distinct outputs). @since 0.1
 */
LIBDBM_API int libdbm_segment_compile(libdbm_segment **out, libdbm_context *ctx,
                                      const char *expression);

/**
 * As libdbm_segment_compile(), resolving segment("name") through
 * @p registry (NULL allowed: then any reference is LIBDBM_ENOTFOUND). A
 * reference binds to the segment the registry holds at compile time; later
 * redefinitions do not change compiled segments. The registry is only read.
 * @since 0.1
 */
LIBDBM_API int libdbm_segment_compile_with(libdbm_segment **out, libdbm_context *ctx,
                                           const char *expression,
                                           const libdbm_segment_registry *registry);

/**
 * The position of the calling thread's last failed compile on @p ctx:
 * stores the 1-based line and column (0, 0 when the failure has no position,
 * e.g. LIBDBM_ENOMEM or a too long text) and returns the status of that
 * compile (LIBDBM_OK when the last compile on this thread succeeded or none
 * was made). @p line and @p column may be NULL. Thread-safe (per thread).
 * @since 0.1
 */
LIBDBM_API int libdbm_segment_last_error(const libdbm_context *ctx, int32_t *line,
                                         int32_t *column);

/**
 * The canonical text of a segment (what the parser reads back to the same
 * segment), into @p out, freed with libdbm_free_string.
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. Thread-safe. @since 0.1
 */
LIBDBM_API int libdbm_segment_to_string(const libdbm_segment *seg, char **out);

/**
 * Releases the caller's reference to @p seg (registries and segments that
 * refer to it keep their own). NULL is accepted. Thread-safe. @since 0.1
 */
LIBDBM_API void libdbm_segment_free(libdbm_segment *seg);

/**
 * Creates an empty registry, owned by the caller (libdbm_segment_registry_free).
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_segment_registry_new(libdbm_segment_registry **out,
                                           libdbm_context *ctx);

/** Frees a registry and its references to segments. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_segment_registry_free(libdbm_segment_registry *registry);

/**
 * Defines (or redefines) @p name as @p seg. The registry takes its own
 * reference: the caller may free @p seg afterwards. Names are 1 to 64 bytes
 * of [A-Za-z0-9_.-].
 * @return LIBDBM_OK; LIBDBM_EINVAL for a bad name or when @p seg refers,
 *         directly or through other segments, to a segment defined under
 *         @p name (a cycle by name); LIBDBM_ENOMEM.
 * Not thread-safe on the same registry. @since 0.1
 */
LIBDBM_API int libdbm_segment_registry_define(libdbm_segment_registry *registry,
                                              const char *name, libdbm_segment *seg);

/** Number of members. @since 0.1 */
LIBDBM_API int64_t libdbm_members_count(const libdbm_members *members);

/**
 * Iterates the members in increasing slot order: set *@p slot to -1 to
 * start; each call replaces it with the next member's slot.
 * @return LIBDBM_OK, LIBDBM_ENOTFOUND after the last member (the slot is
 *         left unchanged), LIBDBM_EINVAL. Thread-safe (no shared cursor).
 * @since 0.1
 */
LIBDBM_API int libdbm_members_next(const libdbm_members *members, int64_t *slot);

/** Whether @p slot is a member (1) or not (0). @since 0.1 */
LIBDBM_API int libdbm_members_contains(const libdbm_members *members, int64_t slot);

/**
 * New sets: @p a ∩ @p b, @p a ∪ @p b, @p a − @p b (sets of different sizes
 * are combined over the larger size). The result belongs to the caller.
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_members_and(libdbm_members **out, const libdbm_members *a,
                                  const libdbm_members *b);
/** @copydoc libdbm_members_and @since 0.1 */
LIBDBM_API int libdbm_members_or(libdbm_members **out, const libdbm_members *a,
                                 const libdbm_members *b);
/** @copydoc libdbm_members_and @since 0.1 */
LIBDBM_API int libdbm_members_minus(libdbm_members **out, const libdbm_members *a,
                                    const libdbm_members *b);

/** Frees a member set. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_members_free(libdbm_members *members);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_SEGMENT_H */
