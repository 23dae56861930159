/**
 * Generic automation: what the request head alone says about the client stack. A User-Agent is
 * a claim, so the strong evidence here is the cheap kind a bot must work to avoid: declaring an
 * HTTP library or attack tool, declaring a headless browser, sending no User-Agent at all, or
 * claiming a browser while lacking headers that browser always sends. Spoofing all of this is
 * possible; it is what the stateful detectors (rates, outcomes, attack mode) are for.
 */
import type { Detector, DetectorInput, Finding } from './detector.js';

const SOURCE = 'detector/automation';
const NONE: readonly never[] = [];

/** Scores are chosen so that one finding alone crosses a typical "block forms at 70" rule only for declared tools. */
export const AUTOMATION_SCORES = {
  'ua.automation': 80,
  'ua.headless': 75,
  'ua.empty': 60,
  'ua.inconsistent': 55,
  'ua.crawler': 40,
  'body.malformed': 30,
} as const;

export const automationDetector = {
  name: 'automation',
  appliesTo: (flow) => flow.kind !== 'asset',
  plan: () => NONE,
  judge(input: DetectorInput): readonly Finding[] {
    const { userAgent, uaInconsistency } = input.signals;
    let findings: Finding[] | undefined;
    switch (userAgent.class) {
      case 'automation':
        findings = [finding('ua.automation', `user agent of an HTTP library or tool (${userAgent.family})`)];
        break;
      case 'headless':
        findings = [finding('ua.headless', `headless or driven browser (${userAgent.family})`)];
        break;
      case 'empty':
        findings = [finding('ua.empty', 'no User-Agent header')];
        break;
      case 'crawler':
        // A declared crawler is expected on pages; on a form it is out of place.
        if (input.flow.kind === 'login' || input.flow.kind === 'signup' || input.flow.kind === 'comment') {
          findings = [
            finding('ua.crawler', `declared crawler (${userAgent.family}) posting to a ${input.flow.kind} form`),
          ];
        }
        break;
      default:
        break;
    }
    if (uaInconsistency !== null) {
      findings ??= [];
      findings.push(finding('ua.inconsistent', `claims ${userAgent.family} but ${uaInconsistency}`));
    }
    if (input.bodyError !== null) {
      findings ??= [];
      findings.push(finding('body.malformed', input.bodyError));
    }
    return findings ?? NONE;
  },
} satisfies Detector;

/**
 * One finding of this detector. A module function rather than a closure in `judge`: tsx keeps
 * function names by wrapping each named closure in a defineProperty call as it is created, which
 * on this path, run for every request, cost 1.5 % of the request thread (CPU profile at 1 000/s).
 */
function finding(reason: keyof typeof AUTOMATION_SCORES, detail: string): Finding {
  return { source: SOURCE, reason, score: AUTOMATION_SCORES[reason], detail };
}
