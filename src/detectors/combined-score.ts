import type { Finding } from './detector.js';

/**
 * A request's risk score from its findings: the "noisy or" of the findings' scores, so that
 * independent weak evidence adds up (two findings of 50 give 75) but never past 100, and one
 * strong finding is not diluted by weak ones. Rounded to an integer for headers and events.
 * It lives with the detectors so that a detector can compare a decision's evidence with the
 * same number the policy used.
 */
export function combinedScore(findings: readonly Finding[]): number {
  let clean = 1;
  for (const f of findings) clean *= 1 - Math.min(100, Math.max(0, f.score)) / 100;
  return Math.round((1 - clean) * 100);
}
