/**
 * The tarpit action: hold the answer for a while so a bot's request costs it time, bounded so
 * that it cannot cost the gateway: at most `maxHeld` answers wait at once (past it the answer
 * goes out at once), each for `delayMs`. A held answer is a timer, not a busy socket loop.
 */
export class Tarpit {
  private held = 0;

  constructor(
    private readonly delayMs = 3_000,
    private readonly maxHeld = 1_000,
  ) {}

  /** Calls `answer` after the delay, or at once when the tarpit is full. */
  hold(answer: () => void, cancelled: () => boolean): void {
    if (this.held >= this.maxHeld) {
      answer();
      return;
    }
    this.held++;
    setTimeout(() => {
      this.held--;
      if (!cancelled()) answer();
    }, this.delayMs).unref();
  }

  get size(): number {
    return this.held;
  }
}
