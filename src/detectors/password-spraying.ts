/**
 * Password spraying: a few common passwords tried against many accounts, slowly enough that
 * no single account locks. Many real users share a popular password too, but they log in with
 * it; the sprayer fails with it. So the evidence is the number of distinct accounts that
 * failed with this password (by keyed hash) recently.
 */
import type { LoginDetection } from '../config/schema.js';
import type { Detector, Finding } from './detector.js';
import { loginKeys as k } from './login-keys.js';

const NONE: readonly never[] = [];
export const SPRAYING_SCORE = 70;

export function createPasswordSprayingDetector(config: LoginDetection): Detector {
  const windowMs = config.crackingWindowSeconds * 1000;
  return {
    name: 'password-spraying',
    appliesTo: (flow) => flow.kind === 'login',
    plan(input) {
      const password = input.fields?.passwordHash;
      if (password === undefined) return NONE;
      return [{ kind: 'distinct', key: k.accountsFailingWithPassword(password), windowMs }];
    },
    judge(_input, results): readonly Finding[] {
      const accounts = results[0];
      if (typeof accounts !== 'number' || accounts < config.accountsPerPassword) return NONE;
      return [
        {
          source: 'detector/password-spraying',
          reason: 'spraying.shared-password',
          score: SPRAYING_SCORE,
          detail: `this password failed on ${accounts} accounts within ${config.crackingWindowSeconds} s`,
        },
      ];
    },
    learn(input, outcome) {
      const password = input.fields?.passwordHash;
      const user = input.fields?.usernameHash;
      if (outcome.result !== 'failure' || password === undefined || user === undefined) return NONE;
      return [{ kind: 'distinct', key: k.accountsFailingWithPassword(password), windowMs, member: user }];
    },
  };
}
