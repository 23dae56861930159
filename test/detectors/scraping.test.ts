import { describe, expect, it } from 'vitest';
import { policySchema } from '../../src/config/schema.js';
import type { DetectorInput, Device } from '../../src/detectors/detector.js';
import { createScrapingDetector } from '../../src/detectors/scraping.js';
import { ManualClock } from '../../src/state/clock.js';
import { MemoryStore } from '../../src/state/memory-store.js';

const settings = policySchema.parse({}).detection.scraping;

function input(clock: ManualClock, path: string, ip: string, device: Device | null): DetectorInput {
  return {
    id: 'x',
    now: clock.now(),
    method: 'GET',
    path,
    flow: { name: 'api', kind: 'api' },
    signals: {
      ip,
      prefix: `${ip}/32`,
      fingerprint: 'f00dfeedcafe',
      userAgent: { class: 'automation', family: 'python-requests', mobile: false, engine: 'other', engineVersion: 0 },
      uaInconsistency: null,
      acceptsHtml: false,
    },
    fields: null,
    bodyError: null,
    device,
    client: 'api',
    account: null,
  };
}

function run(store: MemoryStore, clock: ManualClock, path: string, ip: string, device: Device | null) {
  const detector = createScrapingDetector(settings);
  const i = input(clock, path, ip, device);
  return detector.judge(i, store.execSync(detector.plan(i))).map((f) => f.reason);
}

describe('scraping detector', () => {
  it('lets a person read a few dozen listings, and flags a device walking the catalogue', () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ maxEntries: 10_000, clock });
    const person: Device = { id: 'aaaaaaaaaaaaaaaa', issuedAt: clock.now() };
    for (let i = 0; i < 40; i++) {
      expect(run(store, clock, `/api/listings/${i}`, '203.0.113.1', person)).toEqual([]);
      clock.advance(5_000);
    }
    const bot: Device = { id: 'bbbbbbbbbbbbbbbb', issuedAt: clock.now() };
    const found: string[][] = [];
    for (let i = 0; i < settings.pathsPerDevice; i++)
      found.push(run(store, clock, `/api/listings/${i}`, '198.51.100.1', bot));
    expect(found.slice(0, settings.pathsPerDevice - 20).flat()).toEqual([]);
    expect(found.at(-1)).toContain('scraping.device-breadth');
  });

  it('flags a client that keeps coming back without its cookie, not the first visit', () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ maxEntries: 10_000, clock });
    expect(run(store, clock, '/api/listings', '198.51.100.2', null)).toEqual([]);
    let last: string[] = [];
    for (let i = 0; i < settings.cookielessRequests; i++)
      last = run(store, clock, `/api/listings/${i % 5}`, '198.51.100.2', null);
    expect(last).toContain('scraping.cookieless');
  });
});
