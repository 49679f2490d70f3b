/* DBMI_VECTOR_CLONES before a hot loop's function: on x86-64 ELF builds
 * (GCC/clang function multi-versioning) it also gets AVX-512 and AVX2
 * copies, one chosen at load time for the machine. Every thread runs the
 * same copy, so results stay identical across thread counts; define
 * DBMI_NO_CLONES to build the portable copy only. */
#ifndef LIBDBM_SCORING_VECTOR_CLONES_H
#define LIBDBM_SCORING_VECTOR_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && defined(__ELF__) && !defined(DBMI_NO_CLONES)
#define DBMI_VECTOR_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define DBMI_VECTOR_CLONES
#endif

#endif
