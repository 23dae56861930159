/**
 * How long people take: reading a page, typing credentials, noticing a failed login, writing a
 * comment. Draws are log-normal, the usual shape of human response times (a long right tail,
 * nothing below a physical floor), with medians rounded from keystroke and page-dwell studies:
 * about 0.2 s a keystroke, a few seconds on a page.
 *
 * A scenario may compress reading time (`thinkTimeScale` below 1) to fit more sessions in a
 * run. Typing is never compressed: the time from a form on screen to its post is exactly what
 * login and signup detectors measure, so a compressed run must not manufacture impossibly fast
 * people. (A scale above 1 slows typing too.) Every typed form also has a floor,
 * MIN_PASSWORD_TYPING_MS for a password even with a password manager's autofill, because a
 * person still clicks the field and the button.
 */
import type { Random } from './random.js';

export const MIN_PASSWORD_TYPING_MS = 1_000;
const MIN_READING_MS = 300;
const MIN_WRITING_MS = 2_000;
/** Longer than this and the person would have saved a draft and come back: not one session. */
const MAX_WRITING_MS = 60_000;

export class Pace {
  private readonly typingScale: number;

  /** `scale` multiplies reading time (default 1: real time); typing only when it is above 1. */
  constructor(readonly scale: number = 1) {
    this.typingScale = Math.max(1, scale);
  }

  /** Looking at a page before the next click. */
  reading(random: Random): number {
    return Math.max(MIN_READING_MS, random.logNormal(5_000, 0.7) * this.scale);
  }

  /** A short glance: back to a list, a page already known. */
  glance(random: Random): number {
    return Math.max(MIN_READING_MS, random.logNormal(1_500, 0.5) * this.scale);
  }

  /**
   * From the login form on screen to the click on "Sign in": focus, type (or autofill) the
   * username and the password. About a third of people use a password manager.
   */
  typingCredentials(random: Random, username: string, password: string): number {
    const autofill = random.chance(0.3);
    const typed = autofill ? random.logNormal(1_200, 0.4) : this.keystrokes(random, username.length + password.length);
    return Math.max(MIN_PASSWORD_TYPING_MS, (random.logNormal(800, 0.4) + typed) * this.typingScale);
  }

  /** Reading "Invalid username or password", then typing the password again. */
  retyping(random: Random, password: string): number {
    return Math.max(
      MIN_PASSWORD_TYPING_MS,
      (random.logNormal(2_000, 0.5) + this.keystrokes(random, password.length)) * this.typingScale,
    );
  }

  /** Filling a signup form: username, email and a new password. */
  fillingSignup(random: Random, characters: number): number {
    return Math.max(
      MIN_PASSWORD_TYPING_MS * 2,
      (random.logNormal(4_000, 0.5) + this.keystrokes(random, characters)) * this.typingScale,
    );
  }

  /** Composing a comment of `characters` characters: slower than copying, people think as they type. */
  writing(random: Random, characters: number): number {
    const ms = (random.logNormal(3_000, 0.6) + characters * random.logNormal(230, 0.3)) * this.typingScale;
    return Math.min(MAX_WRITING_MS, Math.max(MIN_WRITING_MS, ms));
  }

  /** A browser fetching the next subresource of a page it is loading: not human time, never scaled. */
  subresourceGap(random: Random): number {
    return random.int(2, 25);
  }

  private keystrokes(random: Random, count: number): number {
    return count * random.logNormal(200, 0.3);
  }
}
