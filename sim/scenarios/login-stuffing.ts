import type { ScenarioDocument } from '../scenario.js';

/**
 * The login page under attack, as issue 4 measures it: 250 real people visiting twice each (the
 * second visit with the cookies of the first), half of them behind one carrier NAT gateway or one
 * office address (some sixty people, over a hundred visits, on each), then, from the 15th second,
 * a stuffing run from one server, a distributed run over 2 200 residential addresses with
 * Chrome-identical headers, and Hydra.
 */
export const loginStuffing: ScenarioDocument = {
  name: 'login-stuffing',
  description:
    'a few hundred real sign-ins (half behind a shared NAT or office address) under one-host, distributed (2 200 IPs) and Hydra stuffing',
  seed: 1,
  durationSeconds: 60,
  thinkTimeScale: 0.5,
  sharedAddresses: { carrierNat: 1, office: 1 },
  personas: [
    {
      persona: 'desktop-browser',
      sessions: 220,
      options: {
        intents: { login: 80, comment: 5, signup: 5, browse: 10 },
        sharedAddressShare: 0.5,
        visitsPerPerson: 2,
      },
    },
    {
      persona: 'mobile-browser',
      sessions: 160,
      options: {
        intents: { login: 80, comment: 5, signup: 5, browse: 10 },
        sharedAddressShare: 0.5,
        visitsPerPerson: 2,
      },
    },
    {
      persona: 'mobile-app',
      sessions: 120,
      options: {
        intents: { login: 80, comment: 5, signup: 5, browse: 10 },
        sharedAddressShare: 0.5,
        visitsPerPerson: 2,
      },
    },
    { persona: 'stuffing-one-host', sessions: 4, startSeconds: 15, options: { attempts: 400, ratePerSecond: 10 } },
    { persona: 'stuffing-distributed', sessions: 2200, startSeconds: 15, durationSeconds: 45 },
    { persona: 'hydra', sessions: 4, startSeconds: 30, options: { attempts: 300, ratePerSecond: 15 } },
  ],
};
