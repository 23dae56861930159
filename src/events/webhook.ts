/**
 * Tells an external system of an event (a suspected account takeover) by POSTing JSON, off the
 * request path: a bounded queue, one delivery at a time, retried with a doubling pause, then
 * dropped and counted. A slow or failing receiver never blocks or fails a request.
 */
import { request } from 'undici';

export interface WebhookOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly retries: number;
  /** Most deliveries waiting; past it new ones are dropped and counted. */
  readonly maxQueue?: number;
  readonly onDropped?: (reason: string) => void;
}

export class Webhook {
  private readonly queue: unknown[] = [];
  private sending = false;
  delivered = 0;
  dropped = 0;

  constructor(private readonly options: WebhookOptions) {}

  send(payload: unknown): void {
    if (this.queue.length >= (this.options.maxQueue ?? 1_000)) {
      this.dropped++;
      this.options.onDropped?.('queue full');
      return;
    }
    this.queue.push(payload);
    if (!this.sending) void this.drain();
  }

  /** Waits until the queue is empty (used on shutdown, bounded by the caller). */
  async idle(): Promise<void> {
    while (this.sending || this.queue.length > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const payload = this.queue.shift();
      let delay = 200;
      for (let attempt = 0; ; attempt++) {
        if (await this.post(payload)) {
          this.delivered++;
          break;
        }
        if (attempt >= this.options.retries) {
          this.dropped++;
          this.options.onDropped?.('receiver failed');
          break;
        }
        await new Promise((r) => setTimeout(r, delay).unref());
        delay *= 2;
      }
    }
    this.sending = false;
  }

  private async post(payload: unknown): Promise<boolean> {
    try {
      const res = await request(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300;
    } catch {
      return false;
    }
  }
}
