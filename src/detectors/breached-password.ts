/**
 * A login with a password known from breaches: the evidence that it may come from a combo
 * list, or that the account's owner reuses a leaked password. Never a block by itself (real
 * people reuse passwords); it adds to the score and to attack-mode's picture.
 */
import type { Detector, Finding } from './detector.js';

const NONE: readonly never[] = [];
const BREACHED: readonly Finding[] = [
  {
    source: 'detector/breached-password',
    reason: 'password.breached',
    score: 15,
    detail: 'the password is in the breached-password list',
  },
];

export const breachedPasswordDetector = {
  name: 'breached-password',
  appliesTo: (flow) => flow.kind === 'login',
  plan: () => NONE,
  judge: (input) => (input.fields?.passwordBreached === true ? BREACHED : NONE),
} satisfies Detector;
