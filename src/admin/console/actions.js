// The decisions, mildest first (as in the policy), with the colours and words the console uses.

export const ACTIONS = ['allow', 'tag', 'tarpit', 'ratelimit', 'challenge', 'deceive', 'block'];

export const ACTION_COLORS = {
  allow: '#a5b8cc',
  tag: '#5b8def',
  tarpit: '#9775fa',
  ratelimit: '#f08c00',
  challenge: '#fab005',
  deceive: '#d6336c',
  block: '#e03131',
};

export const ACTION_WORDS = {
  allow: 'Allowed',
  tag: 'Tagged',
  tarpit: 'Tarpitted',
  ratelimit: 'Rate-limited',
  challenge: 'Challenged',
  deceive: 'Deceived',
  block: 'Blocked',
};

/** Actions that keep a request from the application. */
export const STOPS = new Set(['tarpit', 'ratelimit', 'challenge', 'deceive', 'block']);
