/* Test/bench helper: customers simulated from the BG/NBD generative story
 * (Fader, Hardie & Lee 2005, section 2) with a seeded PRNG of our own, so
 * fits can be checked against the parameters that made the data. */
#ifndef LIBDBM_TEST_BGNBD_SIM_H
#define LIBDBM_TEST_BGNBD_SIM_H

#include <stdint.h>

typedef struct sim_rng { uint64_t s[4]; } sim_rng;

void sim_seed(sim_rng *g, uint64_t seed);
double sim_uniform(sim_rng *g);                 /* (0, 1) */
double sim_gamma(sim_rng *g, double shape);     /* Gamma(shape, scale 1) */

/* One customer: lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b), purchases
 * at Poisson(lambda) times over (0, T], dropping out with probability p
 * after each repeat purchase. Periods are continuous unless @p grid > 0,
 * when t_x and *T are rounded down to multiples of 1/grid (e.g. 7 = days in
 * a week-based model). Also draws a mean spend m_x from the Gamma-Gamma
 * model with (p, q, gamma) = spend[0..2] when spend != NULL. */
void sim_customer(sim_rng *g, const double *params, double *T, double grid,
                  const double *spend, double *x, double *t_x, double *m_x);

#endif
