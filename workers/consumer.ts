// The consumer-group part that the enrich and index workers share: subscribe on start, close the subscription on
// stop (safe twice and before start), and report the group's lag for /metrics. The worker keeps what is its own
// (what a batch does, what else start schedules, its log lines).
import type { Bus, SubscribeOptions, Subscription } from './ports/bus.ts';

/** What {@link GroupConsumer} subscribes to: the bus and the subscription's options. */
export interface GroupConsumerOptions extends SubscribeOptions {
  /** The bus to subscribe on. */
  bus: Bus;
}

/** One consumer-group subscription with start/stop state. */
export class GroupConsumer {
  private sub: Subscription | null = null;
  private started = false;
  private stopRequested = false;

  constructor(private readonly options: GroupConsumerOptions) {}

  /** True once started and until stop begins (the worker's readiness). */
  get running(): boolean {
    return this.started;
  }

  /** True from stop() on, until the next start: a batch still handed over then should be refused (left uncommitted). */
  get stopping(): boolean {
    return this.stopRequested;
  }

  /** True while there is something to stop (running, or a subscription not yet closed). */
  get active(): boolean {
    return this.started || this.sub !== null;
  }

  /** Messages the group has not committed yet; 0 when not subscribed. */
  async lag(): Promise<number> {
    return this.sub ? this.sub.lag() : 0;
  }

  /** Subscribes; no effect when already running. */
  async start(): Promise<void> {
    if (this.started) return;
    const { bus, ...subscription } = this.options;
    this.stopRequested = false;
    this.sub = await bus.subscribe(subscription);
    this.started = true;
  }

  /** Closes the subscription (a batch in flight finishes first, as the bus does it); safe twice and before start. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopRequested = true;
    const sub = this.sub;
    this.sub = null;
    await sub?.stop();
  }
}
