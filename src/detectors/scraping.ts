/**
 * Scraping: walking a catalogue page by page. What a scraper cannot avoid is breadth: it must
 * fetch many different resources, far more than a person reads. What it usually skips is state:
 * a browser or an app keeps the cookie botgate sets on its first answer, a scraper that starts
 * every request afresh does not.
 *
 * - `scraping.device-breadth`: one device cookie fetched very many distinct paths in the window.
 * - `scraping.cookieless`: one client (IP and header fingerprint together, so people sharing a
 *   NAT with other browsers do not add up) keeps coming back without the cookie it was given.
 * - `scraping.ip-breadth`: very many distinct paths from one IP; weak, an office or carrier NAT
 *   browses a lot.
 */
import type { StoreOp } from '../state/store.js';
import type { Detector, DetectorInput, Finding } from './detector.js';

const NONE: readonly never[] = [];
const SOURCE = 'detector/scraping';
const WINDOW_MS = 5 * 60_000;
/** Distinct paths in five minutes: a person reads tens of listings, not hundreds. */
const DEVICE_BREADTH = 120;
const IP_BREADTH = 400;
/** Requests without the cookie from one IP + fingerprint in five minutes. */
const COOKIELESS = 30;

export const scrapingDetector = {
  name: 'scraping',
  appliesTo: (flow) => flow.kind === 'page' || flow.kind === 'api',
  plan(input: DetectorInput): readonly StoreOp[] {
    if (input.method !== 'GET') return NONE;
    const { ip, fingerprint } = input.signals;
    const ops: StoreOp[] = [{ kind: 'distinct', key: `sc:ip:${ip}`, windowMs: WINDOW_MS, member: input.path }];
    if (input.device) ops.push({ kind: 'distinct', key: `sc:dev:${input.device.id}`, windowMs: WINDOW_MS, member: input.path });
    else ops.push({ kind: 'hit', key: `sc:nc:${ip}|${fingerprint}`, windowMs: WINDOW_MS });
    return ops;
  },
  judge(input, results): readonly Finding[] {
    if (results.length === 0) return NONE;
    const findings: Finding[] = [];
    const ipBreadth = results[0] as number;
    if (ipBreadth >= IP_BREADTH) findings.push({ source: SOURCE, reason: 'scraping.ip-breadth', score: 30, detail: `${ipBreadth} distinct paths from this IP in 5 minutes` });
    const second = results[1] as number;
    if (input.device) {
      if (second >= DEVICE_BREADTH) findings.push({ source: SOURCE, reason: 'scraping.device-breadth', score: 70, detail: `${second} distinct paths from this device in 5 minutes` });
    } else if (second >= COOKIELESS) {
      findings.push({ source: SOURCE, reason: 'scraping.cookieless', score: 60, detail: `${second} requests in 5 minutes from this client without the cookie it was given` });
    }
    return findings;
  },
} satisfies Detector;
