#include "bgnbd_sim.h"

#include <math.h>
#include <stddef.h>

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next_u64(sim_rng *g)          /* xoshiro256** */
{
    uint64_t *s = g->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void sim_seed(sim_rng *g, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {           /* splitmix64 */
        uint64_t z = (seed += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        g->s[i] = z ^ (z >> 31);
    }
}

double sim_uniform(sim_rng *g)
{
    return ((double)(next_u64(g) >> 11) + 0.5) * 0x1p-53;
}

static double normal(sim_rng *g)
{
    return sqrt(-2.0 * log(sim_uniform(g))) * cos(6.283185307179586 * sim_uniform(g));
}

double sim_gamma(sim_rng *g, double shape)     /* Marsaglia & Tsang (2000) */
{
    if (shape < 1.0)
        return sim_gamma(g, shape + 1.0) * pow(sim_uniform(g), 1.0 / shape);
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double z = normal(g), v = 1.0 + c * z;
        if (v <= 0)
            continue;
        v = v * v * v;
        if (log(sim_uniform(g)) < 0.5 * z * z + d - d * v + d * log(v))
            return d * v;
    }
}

void sim_customer(sim_rng *g, const double *params, double *age, double grid,
                  const double *spend, double *x, double *t_x, double *m_x)
{
    double T = *age;
    double lambda = sim_gamma(g, params[0]) / params[1];
    double ga = sim_gamma(g, params[2]), gb = sim_gamma(g, params[3]);
    double p = ga / (ga + gb);
    double t = 0, n = 0, last = 0;
    for (;;) {
        t += -log(sim_uniform(g)) / lambda;
        if (t > T)
            break;
        n += 1;
        last = t;
        if (sim_uniform(g) < p)
            break;
    }
    if (grid > 0) {
        last = floor(last * grid) / grid;
        T = floor(T * grid) / grid;
    }
    *age = T;
    *x = n;
    *t_x = n > 0 ? last : 0;
    *m_x = 0;
    if (spend != NULL && n > 0) {
        /* nu ~ Gamma(q, rate gamma); each of the x values ~ Gamma(p, rate nu);
         * their mean ~ Gamma(p x, rate x nu). */
        double nu = sim_gamma(g, spend[1]) / spend[2];
        *m_x = sim_gamma(g, spend[0] * n) / (n * nu);
    }
}
