/** A small scenario with every persona, for the tests that run against the real gateway. */
import { PERSONAS } from '../../sim/personas/index.js';
import type { ScenarioDocument } from '../../sim/scenario.js';

export const EVERY_PERSONA: ScenarioDocument = {
  name: 'every-persona',
  durationSeconds: 3,
  seed: 7,
  users: 200,
  sharedAddresses: { carrierNat: 1, office: 1 },
  personas: [
    {
      persona: 'desktop-browser',
      sessions: 8,
      options: { intents: { login: 40, comment: 20, signup: 20, browse: 20 }, typoRate: 0.3 },
    },
    {
      persona: 'mobile-browser',
      sessions: 6,
      options: { intents: { login: 40, comment: 20, signup: 20, browse: 20 }, sharedAddressShare: 0.5 },
    },
    {
      persona: 'mobile-app',
      sessions: 6,
      options: { intents: { login: 40, comment: 20, signup: 20, browse: 20 }, typoRate: 0.3 },
    },
    { persona: 'stuffing-one-host', sessions: 2, options: { attempts: 30, ratePerSecond: 20, realAccountShare: 0.2 } },
    { persona: 'stuffing-distributed', sessions: 30, options: { secondTryAfterSeconds: 0.2, realAccountShare: 0.2 } },
    { persona: 'cracking', sessions: 2, options: { passwordsPerAccount: 6, ratePerSecond: 20, realPasswordShare: 1 } },
    { persona: 'spraying', sessions: 2, options: { passwords: 2, usernames: 8, ratePerSecond: 20 } },
    { persona: 'headless-stuffer', sessions: 3, options: { attemptsPerSession: 3, realAccountShare: 0.3 } },
    { persona: 'hydra', sessions: 2, options: { attempts: 20, ratePerSecond: 40 } },
    { persona: 'fake-signups', sessions: 8, options: { pageVisitShare: 0.5 } },
    { persona: 'comment-spam', sessions: 2, options: { commentsPerAccount: 2 } },
    { persona: 'scraper', sessions: 1, options: { pagesPerSession: 20, ratePerSecond: 40 } },
  ],
};

export const ALL_PERSONA_NAMES = [...PERSONAS.keys()];
