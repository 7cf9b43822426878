/**
 * Webhook delivery as Stripe does it: each recorded event is POSTed to every enabled endpoint of
 * its account whose `enabled_events` name it (or `*`), and events of connected accounts also to
 * the Connect endpoints of their platforms. Each attempt is signed afresh with the emulator clock;
 * any answer but 2xx (or no answer) is retried after the next delay of the schedule, then given
 * up. Automatic delivery sends at once and retries on timers; `deliverPending()` sends whatever
 * is due by the emulator clock and waits, so tests with a manual clock drive retries exactly.
 */
import type { AccountRegistry } from './accounts.ts';
import type { StripeClock } from './context.ts';
import { type EventRecord, eventJson } from './objects/event.ts';
import { endpointWants, type WebhookEndpointRecord } from './objects/webhook-endpoint.ts';
import type { AccountState } from './state.ts';
import type { StripeSandboxStats } from './stats.ts';
import { stripeSignatureHeader } from './webhook-signature.ts';

export interface WebhookDeliveryOptions {
  /** Send each event as soon as it is recorded and retry on timers (default true). */
  automatic?: boolean;
  /**
   * Seconds before each retry. Stripe retries test-mode deliveries three times over a few hours;
   * the default is 10 minutes, 1 hour, 3 hours.
   */
  retryDelaysSeconds?: readonly number[];
  /** How long one attempt may take (default 10 s). */
  timeoutMs?: number;
}

export interface DeliveryAttempt {
  /** Epoch ms (emulator clock). */
  readonly at: number;
  /** The endpoint's HTTP status, or null when it could not be reached. */
  readonly status: number | null;
  readonly error?: string;
}

export interface WebhookDelivery {
  readonly event: EventRecord;
  readonly endpoint: WebhookEndpointRecord;
  /** The account that owns the endpoint. */
  readonly owner: AccountState;
  readonly attempts: DeliveryAttempt[];
  status: 'pending' | 'delivered' | 'failed';
  /** Epoch ms of the next attempt while pending. */
  nextAttemptAt: number;
}

export const DEFAULT_RETRY_DELAYS_SECONDS: readonly number[] = [600, 3600, 10800];

export class WebhookDispatcher {
  readonly #clock: StripeClock;
  readonly #accounts: AccountRegistry;
  readonly #stats: StripeSandboxStats;
  readonly #automatic: boolean;
  readonly #delays: readonly number[];
  readonly #timeoutMs: number;
  readonly #deliveries: WebhookDelivery[] = [];
  readonly #inFlight = new Map<WebhookDelivery, Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(
    clock: StripeClock,
    accounts: AccountRegistry,
    stats: StripeSandboxStats,
    options: WebhookDeliveryOptions,
  ) {
    this.#clock = clock;
    this.#accounts = accounts;
    this.#stats = stats;
    this.#automatic = options.automatic ?? true;
    this.#delays = options.retryDelaysSeconds ?? DEFAULT_RETRY_DELAYS_SECONDS;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Every delivery so far, oldest first. */
  get deliveries(): readonly WebhookDelivery[] {
    return this.#deliveries;
  }

  /** Queues `event` (recorded in `account`) for every endpoint that wants it (`platformId`: only that platform's). */
  dispatch(event: EventRecord, account: AccountState, platformId?: string): void {
    const targets: [WebhookEndpointRecord, AccountState][] = [];
    for (const endpoint of account.webhookEndpoints.values()) {
      if (!endpoint.connect && endpointWants(endpoint, event.type)) targets.push([endpoint, account]);
    }
    if (account.kind === 'connected') {
      for (const platform of this.#accounts.platformsOf(account.id)) {
        if (platformId !== undefined && platform.id !== platformId) continue;
        const owner = this.#accounts.get(platform.id) as AccountState;
        for (const endpoint of owner.webhookEndpoints.values()) {
          if (endpoint.connect && endpointWants(endpoint, event.type)) targets.push([endpoint, owner]);
        }
      }
    }
    event.pendingWebhooks = targets.length;
    const now = this.#clock.now();
    for (const [endpoint, owner] of targets) {
      const delivery: WebhookDelivery = {
        event,
        endpoint,
        owner,
        attempts: [],
        status: 'pending',
        nextAttemptAt: now,
      };
      this.#deliveries.push(delivery);
      if (this.#automatic) this.#start(delivery);
    }
  }

  /** Sends every pending delivery that is due (after waiting for those under way); returns them. */
  async deliverPending(): Promise<WebhookDelivery[]> {
    await this.idle();
    const now = this.#clock.now();
    const due = this.#deliveries.filter((d) => d.status === 'pending' && d.nextAttemptAt <= now);
    await Promise.all(due.map((delivery) => this.#start(delivery)));
    return due;
  }

  /** Resolves when no attempt is under way. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #start(delivery: WebhookDelivery): Promise<void> {
    const running = this.#inFlight.get(delivery);
    if (running) return running;
    const attempt = this.#attempt(delivery).finally(() => this.#inFlight.delete(delivery));
    this.#inFlight.set(delivery, attempt);
    return attempt;
  }

  async #attempt(delivery: WebhookDelivery): Promise<void> {
    const { event, endpoint, owner } = delivery;
    const at = this.#clock.now();
    if (owner.webhookEndpoints.get(endpoint.id) !== endpoint || endpoint.status !== 'enabled') {
      // Stripe stops sending to endpoints that were disabled or deleted meanwhile.
      delivery.status = 'failed';
      delivery.attempts.push({ at, status: null, error: 'endpoint disabled or deleted' });
      return;
    }
    const body = JSON.stringify(
      { ...eventJson(event), api_version: endpoint.apiVersion ?? event.apiVersion },
      null,
      2,
    );
    const headers = {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'Stripe-Signature': stripeSignatureHeader(body, endpoint.secret, Math.floor(at / 1000)),
    };
    this.#stats.webhooks.attempts++;
    let status: number | null = null;
    let error: string | undefined;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
    }
    delivery.attempts.push(error === undefined ? { at, status } : { at, status, error });
    if (status !== null && status >= 200 && status < 300) {
      delivery.status = 'delivered';
      event.pendingWebhooks = Math.max(0, event.pendingWebhooks - 1);
      this.#stats.webhooks.delivered++;
      return;
    }
    const delay = this.#delays[delivery.attempts.length - 1];
    if (delay === undefined) {
      delivery.status = 'failed';
      this.#stats.webhooks.failed++;
      return;
    }
    delivery.nextAttemptAt = this.#clock.now() + delay * 1000;
    if (this.#automatic && !this.#closed) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        void this.deliverPending();
      }, delay * 1000);
      timer.unref();
      this.#timers.add(timer);
    }
  }
}
