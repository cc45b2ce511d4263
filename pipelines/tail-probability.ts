// Tail probabilities for the detectors' null models, computed in log space so that the tiny p-values of real
// campaigns (1e-40 and smaller) neither underflow nor lose their order. Pure functions, no dependencies.

const LOG_FACT_CACHE: number[] = [0];

/** Natural log of k! (exact sum for small k, Stirling series beyond). */
export function logFactorial(k: number): number {
  if (k < 0) return 0;
  if (k < 2048) {
    for (let i = LOG_FACT_CACHE.length; i <= k; i++) LOG_FACT_CACHE[i] = LOG_FACT_CACHE[i - 1]! + Math.log(i);
    return LOG_FACT_CACHE[k]!;
  }
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + 1 / (12 * k) - 1 / (360 * k ** 3);
}

function logSumExp(terms: number[]): number {
  let m = -Infinity;
  for (const t of terms) if (t > m) m = t;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const t of terms) s += Math.exp(t - m);
  return m + Math.log(s);
}

/** Natural log of P(X >= k) for X ~ Poisson(lambda). Returns 0 (p = 1) when k <= 0 or k <= lambda rounded down. */
export function logPoissonTail(k: number, lambda: number): number {
  if (k <= 0) return 0;
  if (!(lambda > 0)) return -Infinity;
  if (k <= Math.floor(lambda)) {
    // The upper tail from at or below the mean: compute 1 - P(X < k) from the lower terms.
    const lower: number[] = [];
    for (let j = 0; j < k; j++) lower.push(-lambda + j * Math.log(lambda) - logFactorial(j));
    const cdf = Math.exp(logSumExp(lower));
    return Math.log(Math.max(1e-300, 1 - cdf));
  }
  const terms: number[] = [];
  const logLambda = Math.log(lambda);
  for (let j = k; j < k + 400; j++) {
    const t = -lambda + j * logLambda - logFactorial(j);
    terms.push(t);
    if (j > k && t < terms[0]! - 40) break;
  }
  return Math.min(0, logSumExp(terms));
}

/** Natural log of P(X >= k) for X ~ Binomial(n, p). */
export function logBinomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p <= 0) return -Infinity;
  if (p >= 1) return 0;
  const lp = Math.log(p);
  const lq = Math.log(1 - p);
  const terms: number[] = [];
  for (let j = k; j <= n; j++) {
    terms.push(logFactorial(n) - logFactorial(j) - logFactorial(n - j) + j * lp + (n - j) * lq);
  }
  return Math.min(0, logSumExp(terms));
}

/**
 * Natural log of Fisher's combined p-value of independent tests given as natural-log p-values: X = -2·Σ ln p is
 * chi-squared with 2k degrees of freedom under the joint null, P(X >= x) = e^(-x/2)·Σ_{j<k} (x/2)^j / j!.
 */
export function logFisherCombined(logPs: number[]): number {
  const half = -logPs.reduce((s, l) => s + Math.min(0, l), 0);
  if (half === 0) return 0;
  if (!Number.isFinite(half)) return -Infinity;
  const terms: number[] = [];
  for (let j = 0; j < logPs.length; j++) terms.push(j * Math.log(half) - logFactorial(j));
  return Math.min(0, -half + logSumExp(terms));
}

/** Converts a natural-log probability to a plain probability, floored at 1e-300 so it survives JSON. */
export function probability(logP: number): number {
  return Math.min(1, Math.max(1e-300, Math.exp(logP)));
}
