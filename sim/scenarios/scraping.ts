import type { ScenarioDocument } from '../scenario.js';

/** People reading listings while scrapers walk the catalogue, one of them with Chrome's headers. */
export const scraping: ScenarioDocument = {
  name: 'scraping',
  description: 'people browsing listings while three scrapers walk the catalogue by id',
  seed: 1,
  durationSeconds: 60,
  thinkTimeScale: 0.5,
  personas: [
    {
      persona: 'desktop-browser',
      sessions: 60,
      options: { intents: { login: 30, comment: 0, signup: 0, browse: 70 } },
    },
    { persona: 'mobile-browser', sessions: 40, options: { intents: { login: 30, comment: 0, signup: 0, browse: 70 } } },
    { persona: 'mobile-app', sessions: 40, options: { intents: { login: 30, comment: 0, signup: 0, browse: 70 } } },
    { persona: 'scraper', sessions: 2, options: { pagesPerSession: 400, ratePerSecond: 6 } },
    {
      persona: 'scraper',
      label: 'scraper-chrome-headers',
      sessions: 1,
      options: { pagesPerSession: 300, ratePerSecond: 5, headers: 'chrome' },
    },
  ],
};
