/**
 * How strongly a count of failures shows that a source fails more often than a bar: the lower
 * end of the Wilson score interval of its failure ratio, one-sided at 95 %. Five failures out of
 * five clear a bar of 0.6 (lower bound 0.65); three out of five, what five people behind one
 * office or carrier NAT can produce with typos and forgotten passwords, do not (0.27). A stuffing
 * tool, which fails nearly every time, clears the bar as early as a plain ratio would, and a
 * source's evidence grows with its volume instead of being decided by its first few logins.
 */

/** z for a one-sided 95 % bound. */
const Z = 1.6449;

/** The Wilson lower bound of `failures / attempts` (0 when there are no attempts). */
export function failureRatioLowerBound(failures: number, attempts: number): number {
  if (attempts <= 0) return 0;
  const p = Math.min(1, Math.max(0, failures / attempts));
  const z2n = (Z * Z) / attempts;
  const centre = p + z2n / 2;
  const spread = Z * Math.sqrt((p * (1 - p)) / attempts + z2n / (4 * attempts));
  return Math.max(0, (centre - spread) / (1 + z2n));
}
