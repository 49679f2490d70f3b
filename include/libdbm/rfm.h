/*
 * libdbm — RFM scores (recency, frequency, monetary quantile scores) and
 * named RFM segments.
 *
 * The quantile rule, the tie rule and the default segment table are in
 * docs/rfm.md. Include <libdbm.h> rather than this file.
 */
#ifndef LIBDBM_RFM_H
#define LIBDBM_RFM_H

#include "common.h"
#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How the monetary value of a customer is computed. @since 0.1 */
enum libdbm_rfm_monetary_mode {
    LIBDBM_RFM_MONETARY_TOTAL = 0,   /**< total spend in the window (default) */
    LIBDBM_RFM_MONETARY_AVERAGE = 1  /**< total spend / frequency (0 when frequency is 0) */
};

/** How purchases are counted for the frequency. @since 0.1 */
enum libdbm_rfm_frequency_mode {
    LIBDBM_RFM_FREQUENCY_DAYS = 0,      /**< distinct purchase days (default) */
    LIBDBM_RFM_FREQUENCY_PURCHASES = 1  /**< every (de-duplicated) purchase */
};

/** The largest number of score bins. @since 0.1 */
#define LIBDBM_RFM_MAX_BINS 100

/**
 * Options of an RFM scoring. Start from LIBDBM_RFM_OPTIONS_INIT or
 * libdbm_rfm_options_init(); the struct only grows at its end.
 * @since 0.1
 */
typedef struct libdbm_rfm_options {
    uint32_t struct_size;    /**< sizeof(libdbm_rfm_options) */
    int32_t bins;            /**< scores 1..bins, 2..LIBDBM_RFM_MAX_BINS; default 5 */
    int32_t monetary_mode;   /**< enum libdbm_rfm_monetary_mode; default TOTAL */
    int32_t frequency_mode;  /**< enum libdbm_rfm_frequency_mode; default DAYS */
    int32_t lookback_days;   /**< frequency and monetary count the purchases of the
                                  last lookback_days days up to the as-of day;
                                  0 (default) = all history */
} libdbm_rfm_options;

/** Static initialiser with the defaults. @since 0.1 */
#define LIBDBM_RFM_OPTIONS_INIT \
    { (uint32_t)sizeof(libdbm_rfm_options), 5, LIBDBM_RFM_MONETARY_TOTAL, \
      LIBDBM_RFM_FREQUENCY_DAYS, 0 }

/**
 * Fills @p options with the defaults (same as LIBDBM_RFM_OPTIONS_INIT).
 * @return LIBDBM_OK or LIBDBM_EINVAL when @p options is NULL. Thread-safe.
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_options_init(libdbm_rfm_options *options);

/* ------------------------------------------------------------------------ */
/* Bin boundaries                                                            */
/* ------------------------------------------------------------------------ */

/**
 * The bin boundaries of the three RFM scores, fitted on a population and
 * applied to it or to new customers later (saved and loaded as a blob).
 *
 * Rule (docs/rfm.md): per column, values are ordered from worst to best
 * (recency: largest to smallest; frequency and monetary: smallest to
 * largest). A value's score is 1 + floor(L * bins / n), where L is the
 * number of values in the population strictly worse than it and n the
 * population size. Ties share a score (they share L); on distinct values
 * every bin holds floor(n/bins) or ceil(n/bins) values; the result does not
 * depend on the order of the input. Stored as bins-1 boundaries per column
 * (b_k = the value at worst-to-best position ceil(k*n/bins)-1), so that
 * score = 1 + #{k : value strictly better than b_k}, which reproduces the
 * fitted scores exactly when re-applied to the same population.
 *
 * Threads: immutable once fitted or loaded; may be shared by threads.
 * @since 0.1
 */
typedef struct libdbm_rfm_bins libdbm_rfm_bins;

/**
 * Fits the boundaries on a population of @p n customers.
 * @param out receives the object (NULL on failure); free with libdbm_rfm_bins_free().
 * @param ctx context whose allocator the object uses; must outlive it.
 * @param recency days since the last purchase (smaller is better), @p n values.
 * @param frequency purchase count (larger is better), @p n values.
 * @param monetary spend (larger is better), @p n values.
 * @param n number of customers, >= 1.
 * @param options NULL for the defaults; bins and the modes are stored in
 *        the object (the modes and lookback say how the inputs were made).
 * @return LIBDBM_OK; LIBDBM_EINVAL (NULL pointer, n < 1, NaN value, bad
 *         option, with a message); LIBDBM_ENOMEM.
 * Thread-safe for distinct @p out. Input arrays are only read.
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_bins_fit(libdbm_rfm_bins **out, libdbm_context *ctx,
                                   const double *recency, const double *frequency,
                                   const double *monetary, int64_t n,
                                   const libdbm_rfm_options *options);

/**
 * libdbm_rfm_bins_fit() with the passes over the columns split over up to
 * @p threads threads (0 means 1), each taking a contiguous part; the
 * boundaries do not depend on the thread count, and a NaN error names the
 * first NaN.
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_bins_fit_threads(libdbm_rfm_bins **out, libdbm_context *ctx,
                                           const double *recency, const double *frequency,
                                           const double *monetary, int64_t n,
                                           const libdbm_rfm_options *options,
                                           int32_t threads);

/**
 * Scores @p n customers against fitted or loaded boundaries. Each of the
 * three (score, value) array pairs may be NULL together to skip that score.
 * @param r_out, f_out, m_out receive scores 1..bins.
 * @return LIBDBM_OK; LIBDBM_EINVAL (NULL bins, n < 0, a NaN value, or only
 *         one array of a pair given) — the outputs may then be partly
 *         written.
 * Thread-safe: @p bins is only read.
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_bins_score(const libdbm_rfm_bins *bins,
                                     int32_t *r_out, int32_t *f_out, int32_t *m_out,
                                     const double *recency, const double *frequency,
                                     const double *monetary, int64_t n);

/**
 * libdbm_rfm_bins_score() on up to @p threads threads (0 means 1), each
 * scoring a contiguous part of the arrays; the scores do not depend on the
 * thread count. On a NaN value (LIBDBM_EINVAL) the message names the
 * first one.
 * Thread-safe: @p bins is only read.
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_bins_score_threads(const libdbm_rfm_bins *bins,
                                             int32_t *r_out, int32_t *f_out, int32_t *m_out,
                                             const double *recency, const double *frequency,
                                             const double *monetary, int64_t n,
                                             int32_t threads);

/**
 * Reads the settings of the boundaries: number of bins, monetary mode,
 * frequency mode and lookback days (any out-pointer may be NULL).
 * @return LIBDBM_OK or LIBDBM_EINVAL. Thread-safe. @since 0.1
 */
LIBDBM_API int libdbm_rfm_bins_info(const libdbm_rfm_bins *bins, int32_t *bins_out,
                                    int32_t *monetary_mode, int32_t *frequency_mode,
                                    int32_t *lookback_days);

/**
 * Reads boundary @p k (1..bins-1) of @p column (0 = recency, 1 = frequency,
 * 2 = monetary): a value strictly better than it scores above k.
 * @return LIBDBM_OK or LIBDBM_EINVAL. Thread-safe. @since 0.1
 */
LIBDBM_API int libdbm_rfm_bins_boundary(const libdbm_rfm_bins *bins, double *out,
                                        int32_t column, int32_t k);

/**
 * Serialises the boundaries into a portable blob (little-endian, versioned,
 * CRC-32C checked; docs/rfm.md).
 * @param blob_out receives the blob; free with libdbm_free_blob().
 * @param size_out receives its size in bytes.
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ENOMEM. Thread-safe.
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_bins_save(const libdbm_rfm_bins *bins, void **blob_out,
                                    size_t *size_out);

/**
 * Loads boundaries saved by libdbm_rfm_bins_save() on any machine.
 * @param out receives the object (NULL on failure); free with libdbm_rfm_bins_free().
 * @param blob @p size bytes, only read and not kept.
 * @return LIBDBM_OK; LIBDBM_EINVAL (NULL pointers, negative size);
 *         LIBDBM_ECORRUPT (bad magic, size, checksum or content);
 *         LIBDBM_EVERSION (a newer format); LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_bins_load(libdbm_rfm_bins **out, libdbm_context *ctx,
                                    const void *blob, size_t size);

/** Frees boundaries. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_rfm_bins_free(libdbm_rfm_bins *bins);

/* ------------------------------------------------------------------------ */
/* Named segments                                                            */
/* ------------------------------------------------------------------------ */

/**
 * An ordered table of named segment rules over (R, F, M) scores: the first
 * rule whose three inclusive ranges all contain the scores names the
 * customer; when none matches, the fallback name ("Others" by default).
 *
 * Threads: building (clear, add, parse, set_fallback) needs exclusive
 * access; classify only reads and may run concurrently once built.
 * @since 0.1
 */
typedef struct libdbm_rfm_segments libdbm_rfm_segments;

/**
 * Creates a table holding the default rules (docs/rfm.md: Champions, Loyal
 * Customers, Potential Loyalist, New Customers, Promising, Need Attention,
 * About To Sleep, At Risk, Can't Lose Them, Hibernating, Lost; fallback
 * Others). The default ranges assume 5 bins.
 * @param out receives the table; free with libdbm_rfm_segments_free().
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_segments_new_default(libdbm_rfm_segments **out,
                                               libdbm_context *ctx);

/** Removes every rule (the fallback name stays). @return LIBDBM_OK or
 * LIBDBM_EINVAL. @since 0.1 */
LIBDBM_API int libdbm_rfm_segments_clear(libdbm_rfm_segments *segs);

/**
 * Appends a rule (matched after the existing ones). Ranges are inclusive;
 * each min <= max.
 * @param name UTF-8, non-empty, copied.
 * @return LIBDBM_OK; LIBDBM_EINVAL (NULL/empty name, min > max);
 *         LIBDBM_ENOMEM (table unchanged).
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_segments_add_rule(libdbm_rfm_segments *segs,
                                            const char *name,
                                            int32_t r_min, int32_t r_max,
                                            int32_t f_min, int32_t f_max,
                                            int32_t m_min, int32_t m_max);

/**
 * Appends the rules of a text, one per line: `Name: r=4-5 f=4-5 m=4-5`.
 * A range is `A-B` or a single `A`; an omitted letter means any score; the
 * name is everything before the colon, trimmed. Blank lines and lines
 * starting with `#` are ignored.
 * @return LIBDBM_OK; LIBDBM_ESYNTAX with the line and column in the
 *         context's message (table unchanged); LIBDBM_EINVAL; LIBDBM_ENOMEM
 *         (table unchanged).
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_segments_parse(libdbm_rfm_segments *segs,
                                         const char *text);

/** Sets the name returned when no rule matches (copied). @return
 * LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ENOMEM. @since 0.1 */
LIBDBM_API int libdbm_rfm_segments_set_fallback(libdbm_rfm_segments *segs,
                                                const char *name);

/** Number of rules. @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1 */
LIBDBM_API int libdbm_rfm_segments_count(const libdbm_rfm_segments *segs,
                                         int32_t *count);

/**
 * Names the segment of scores (r, f, m).
 * @param name_out receives the rule's name (or the fallback), owned by
 *        @p segs and valid until it is modified or freed.
 * @param rule_out receives the 0-based index of the matching rule, or -1
 *        for the fallback; may be NULL.
 * @return LIBDBM_OK or LIBDBM_EINVAL. Thread-safe on a table not being modified.
 * @since 0.1
 */
LIBDBM_API int libdbm_rfm_segments_classify(const libdbm_rfm_segments *segs,
                                            const char **name_out,
                                            int32_t *rule_out,
                                            int32_t r, int32_t f, int32_t m);

/** Frees a table. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_rfm_segments_free(libdbm_rfm_segments *segs);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_RFM_H */
