import type { ScenarioDocument } from '../scenario.js';

/** Real people signing up and commenting, among bulk fake signups and a comment-spam campaign (issue 6). */
export const signupAndComments: ScenarioDocument = {
  name: 'signup-and-comments',
  description: 'real signups and comments among bulk fake signups and a comment-spam campaign',
  seed: 1,
  durationSeconds: 60,
  thinkTimeScale: 0.5,
  personas: [
    {
      persona: 'desktop-browser',
      sessions: 60,
      options: { intents: { login: 20, comment: 40, signup: 30, browse: 10 } },
    },
    {
      persona: 'mobile-browser',
      sessions: 40,
      options: { intents: { login: 20, comment: 40, signup: 30, browse: 10 } },
    },
    { persona: 'mobile-app', sessions: 40, options: { intents: { login: 20, comment: 40, signup: 30, browse: 10 } } },
    { persona: 'fake-signups', sessions: 200 },
    { persona: 'comment-spam', sessions: 25, options: { commentsPerAccount: 5 } },
  ],
};
