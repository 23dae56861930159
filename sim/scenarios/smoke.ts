import type { ScenarioDocument } from '../scenario.js';

const HUMAN_INTENTS = { login: 65, comment: 10, signup: 10, browse: 15 };

/** Every persona, a little of each: the quick check that the whole simulator and gateway work. */
export const smoke: ScenarioDocument = {
  name: 'smoke',
  description: 'every persona, a little of each; finishes in well under a minute',
  // Seed 6 draws no exceptionally long comment (writing one takes up to a minute at real typing
  // speed), so the run ends in about 40 s; other seeds may meet the hard stop below.
  seed: 6,
  durationSeconds: 15,
  thinkTimeScale: 0.25,
  sharedAddresses: { carrierNat: 2, office: 1 },
  // A hard stop, so that any seed ends within the minute (the scoreboard then says it was cut short).
  maxSeconds: 50,
  personas: [
    // People type at real speed whatever the scale, and a comment takes half a minute to write:
    // they start in the first 6 seconds so that the run ends within the minute.
    { persona: 'desktop-browser', sessions: 24, durationSeconds: 6, options: { intents: HUMAN_INTENTS } },
    { persona: 'mobile-browser', sessions: 16, durationSeconds: 6, options: { intents: HUMAN_INTENTS } },
    { persona: 'mobile-app', sessions: 16, durationSeconds: 6, options: { intents: HUMAN_INTENTS } },
    { persona: 'stuffing-one-host', sessions: 2, options: { attempts: 60, ratePerSecond: 6 } },
    { persona: 'stuffing-distributed', sessions: 150, options: { secondTryAfterSeconds: 3 } },
    { persona: 'cracking', sessions: 2, options: { passwordsPerAccount: 15, ratePerSecond: 2 } },
    { persona: 'spraying', sessions: 3, options: { passwords: 2, usernames: 30, ratePerSecond: 4 } },
    { persona: 'headless-stuffer', sessions: 8, options: { attemptsPerSession: 4 } },
    { persona: 'hydra', sessions: 2, options: { attempts: 60, ratePerSecond: 10 } },
    { persona: 'fake-signups', sessions: 30 },
    { persona: 'comment-spam', sessions: 6, options: { commentsPerAccount: 3 } },
    { persona: 'scraper', sessions: 1, options: { pagesPerSession: 60, ratePerSecond: 6 } },
  ],
};
