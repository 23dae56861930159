import type { ScenarioDocument } from '../scenario.js';

/**
 * What `botgate demo` runs behind the scenes, round after round: people at real-time pace and a
 * slow attacker, a few requests a second in all, so a newcomer's console and metrics move within
 * seconds.
 */
export const background: ScenarioDocument = {
  name: 'background',
  description: 'the gentle mix `botgate demo` runs: people at real-time pace and a slow stuffer',
  seed: 1,
  durationSeconds: 60,
  thinkTimeScale: 1,
  personas: [
    { persona: 'desktop-browser', sessions: 20 },
    { persona: 'mobile-browser', sessions: 14 },
    { persona: 'mobile-app', sessions: 12 },
    { persona: 'stuffing-distributed', sessions: 60, options: { secondTryShare: 0.3 } },
    { persona: 'stuffing-one-host', sessions: 1, options: { attempts: 30, ratePerSecond: 0.5 } },
  ],
};
