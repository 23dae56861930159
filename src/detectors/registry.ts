/**
 * Every detector botgate ships, built from the policy's `detection` settings. The compile step
 * asks each whether it applies to a flow, once, so the hot path iterates only the detectors a
 * flow needs. Attack mode needs a running monitor (store and clock), so it joins only when the
 * gateway provides one.
 */
import type { PolicyDocument } from '../config/schema.js';
import { createAccountCreationDetector } from './account-creation.js';
import { createAccountSessionsDetector } from './account-sessions.js';
import { createAccountTakeoverDetector } from './account-takeover.js';
import { type AttackModeMonitor, createAttackModeDetector } from './attack-mode.js';
import { automationDetector } from './automation.js';
import { breachedPasswordDetector } from './breached-password.js';
import { createCommentSpamDetector } from './comment-spam.js';
import { createCredentialCrackingDetector } from './credential-cracking.js';
import { createCredentialStuffingDetector } from './credential-stuffing.js';
import type { Detector } from './detector.js';
import { createPasswordSprayingDetector } from './password-spraying.js';
import { createScrapingDetector } from './scraping.js';

export function builtinDetectors(
  doc: PolicyDocument,
  attackMode: AttackModeMonitor | null = null,
): readonly Detector[] {
  const login = doc.detection.login;
  const detectors: Detector[] = [
    automationDetector,
    breachedPasswordDetector,
    createScrapingDetector(doc.detection.scraping),
    createCredentialStuffingDetector(login),
    createCredentialCrackingDetector(login),
    createPasswordSprayingDetector(login),
    createAccountTakeoverDetector(login),
    createAccountCreationDetector(
      doc.detection.accountCreation,
      doc.secret === undefined ? {} : { secret: doc.secret },
    ),
    createAccountSessionsDetector(doc.detection.accountCreation, doc.detection.commentSpam),
    createCommentSpamDetector(doc.detection.commentSpam),
  ];
  if (attackMode !== null) detectors.push(createAttackModeDetector(attackMode, doc.detection.attackMode));
  return detectors;
}
