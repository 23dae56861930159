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
import type { ScrapingSettings } from '../config/schema.js';
import type { StoreOp } from '../state/store.js';
import type { Detector, DetectorInput, Finding } from './detector.js';

const NONE: readonly never[] = [];
const SOURCE = 'detector/scraping';

export function createScrapingDetector(settings: ScrapingSettings): Detector {
  const windowMs = settings.windowSeconds * 1000;
  const within = `in ${settings.windowSeconds} s`;
  return {
    name: 'scraping',
    appliesTo: (flow) => flow.kind === 'page' || flow.kind === 'api',
    plan(input: DetectorInput): readonly StoreOp[] {
      if (input.method !== 'GET') return NONE;
      const { ip, fingerprint } = input.signals;
      const ops: StoreOp[] = [{ kind: 'distinct', key: `sc:ip:${ip}`, windowMs, member: input.path }];
      if (input.device) ops.push({ kind: 'distinct', key: `sc:dev:${input.device.id}`, windowMs, member: input.path });
      else ops.push({ kind: 'hit', key: `sc:nc:${ip}|${fingerprint}`, windowMs });
      return ops;
    },
    judge(input, results): readonly Finding[] {
      if (results.length === 0) return NONE;
      const findings: Finding[] = [];
      const ipBreadth = results[0] as number;
      if (ipBreadth >= settings.pathsPerIp)
        findings.push({
          source: SOURCE,
          reason: 'scraping.ip-breadth',
          score: 30,
          detail: `${ipBreadth} distinct paths from this IP ${within}`,
        });
      const second = results[1] as number;
      if (input.device) {
        if (second >= settings.pathsPerDevice)
          findings.push({
            source: SOURCE,
            reason: 'scraping.device-breadth',
            score: 70,
            detail: `${second} distinct paths from this device ${within}`,
          });
      } else if (second >= settings.cookielessRequests) {
        findings.push({
          source: SOURCE,
          reason: 'scraping.cookieless',
          score: 60,
          detail: `${second} requests ${within} from this client without the cookie it was given`,
        });
      }
      return findings;
    },
  };
}
