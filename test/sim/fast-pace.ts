/**
 * Human timing for tests: every delay at or near its floor, so a session of each persona
 * finishes in seconds. Never used by `botgate eval`; tests check arithmetic, not realism.
 */
import { MIN_PASSWORD_TYPING_MS, Pace } from '../../sim/pace.js';

export class FastPace extends Pace {
  override reading(): number {
    return 50;
  }
  override glance(): number {
    return 20;
  }
  override typingCredentials(): number {
    return MIN_PASSWORD_TYPING_MS;
  }
  override retyping(): number {
    return MIN_PASSWORD_TYPING_MS;
  }
  override fillingSignup(): number {
    return MIN_PASSWORD_TYPING_MS;
  }
  override writing(): number {
    return 500;
  }
  override subresourceGap(): number {
    return 1;
  }
}
