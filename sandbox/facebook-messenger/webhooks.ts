/**
 * The app's webhook subscription and deliveries, as Meta runs them: registering a callback URL
 * (done by hand in the App Dashboard, here by `control.subscribeWebhook`) triggers the hub
 * challenge GET, and only a verified subscription receives events. Each event is POSTed with
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed by the app secret>` (and
 * the legacy SHA-1 `X-Hub-Signature`). A delivery not answered 200 stays pending until
 * `deliverPending()` retries it — Meta retries on its own schedule, tests on theirs — and when
 * deliveries keep failing for 8 hours the subscription is dropped, as Meta does.
 */
import { createHmac, randomInt } from 'node:crypto';
import type { SandboxClock } from '../oauth/tokens.ts';
import type { PageEvent, WebhookField } from './events.ts';
import { WEBHOOK_FIELDS } from './events.ts';
import type { MessengerSandboxStats } from './stats.ts';

/** Meta unsubscribes an app whose webhook keeps failing this long. */
export const FAILING_WEBHOOK_UNSUBSCRIBE_MS = 8 * 3_600_000;

export interface SubscribeOptions {
  callbackUrl: string;
  verifyToken: string;
  /** Default: every field the emulator sends. */
  fields?: readonly WebhookField[];
}

export interface SubscribeResult {
  verified: boolean;
  /** What the callback answered to the challenge (`error` when it could not be reached). */
  status: number | 'error';
  body: string;
}

export interface WebhookDelivery {
  readonly id: number;
  readonly field: WebhookField;
  /** The exact bytes POSTed (and signed). */
  readonly body: string;
  attempts: number;
  lastStatus: number | 'error' | undefined;
  delivered: boolean;
  /** Dropped with the subscription after 8 hours of failures. */
  abandoned: boolean;
}

interface Subscription {
  readonly callbackUrl: string;
  readonly verifyToken: string;
  readonly fields: ReadonlySet<WebhookField>;
  /** When the current run of failed deliveries began; undefined while deliveries succeed. */
  failingSince: number | undefined;
}

/** The signature headers Meta sends with a webhook body. */
export function signatureHeaders(appSecret: string, body: string): Record<string, string> {
  const hmac = (algorithm: string) => createHmac(algorithm, appSecret).update(body, 'utf8').digest('hex');
  return { 'X-Hub-Signature-256': `sha256=${hmac('sha256')}`, 'X-Hub-Signature': `sha1=${hmac('sha1')}` };
}

export class WebhookDispatcher {
  readonly #appSecret: string;
  readonly #clock: SandboxClock;
  readonly #timeoutMs: number;
  readonly #stats: MessengerSandboxStats;
  readonly #deliveries: WebhookDelivery[] = [];
  #subscription: Subscription | undefined;

  constructor(options: {
    appSecret: string;
    clock: SandboxClock;
    timeoutMs: number;
    stats: MessengerSandboxStats;
  }) {
    this.#appSecret = options.appSecret;
    this.#clock = options.clock;
    this.#timeoutMs = options.timeoutMs;
    this.#stats = options.stats;
  }

  get subscribed(): boolean {
    return this.#subscription !== undefined;
  }

  /** Every delivery so far, oldest first. */
  deliveries(): readonly WebhookDelivery[] {
    return [...this.#deliveries];
  }

  pending(): readonly WebhookDelivery[] {
    return this.#deliveries.filter((delivery) => !delivery.delivered && !delivery.abandoned);
  }

  /** Sends the hub challenge; the subscription replaces the current one only when verified. */
  async subscribe(options: SubscribeOptions): Promise<SubscribeResult> {
    const fields = options.fields ?? WEBHOOK_FIELDS;
    for (const field of fields) {
      if (!WEBHOOK_FIELDS.includes(field)) throw new Error(`unknown webhook field ${field}`);
    }
    const challenge = String(randomInt(1_000_000_000, 2_000_000_000));
    const url = new URL(options.callbackUrl);
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.challenge', challenge);
    url.searchParams.set('hub.verify_token', options.verifyToken);
    this.#stats.webhooks.challenges++;
    let result: SubscribeResult;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
      const body = await res.text();
      result = { verified: res.status === 200 && body === challenge, status: res.status, body };
    } catch {
      result = { verified: false, status: 'error', body: '' };
    }
    if (result.verified) {
      this.#stats.webhooks.verified++;
      this.#subscription = {
        callbackUrl: options.callbackUrl,
        verifyToken: options.verifyToken,
        fields: new Set(fields),
        failingSince: undefined,
      };
    }
    return result;
  }

  unsubscribe(): void {
    this.#subscription = undefined;
  }

  /** Delivers an event now if a verified subscription wants its field; otherwise it is dropped. */
  async emit(event: PageEvent): Promise<WebhookDelivery | undefined> {
    if (!this.#subscription?.fields.has(event.field)) {
      this.#stats.webhooks.dropped++;
      return undefined;
    }
    const delivery: WebhookDelivery = {
      id: this.#deliveries.length + 1,
      field: event.field,
      body: JSON.stringify(event.body),
      attempts: 0,
      lastStatus: undefined,
      delivered: false,
      abandoned: false,
    };
    this.#deliveries.push(delivery);
    await this.#attempt(delivery);
    return delivery;
  }

  /** Retries every pending delivery once, oldest first; returns how many are still pending. */
  async deliverPending(): Promise<{ delivered: number; pending: number }> {
    let delivered = 0;
    for (const delivery of this.pending()) {
      // The subscription may have been dropped by an earlier failure in this run.
      if (delivery.abandoned) continue;
      if (await this.#attempt(delivery)) delivered++;
    }
    return { delivered, pending: this.pending().length };
  }

  async #attempt(delivery: WebhookDelivery): Promise<boolean> {
    const subscription = this.#subscription;
    if (!subscription) {
      delivery.abandoned = true;
      return false;
    }
    delivery.attempts++;
    this.#stats.webhooks.attempts++;
    try {
      const res = await fetch(subscription.callbackUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...signatureHeaders(this.#appSecret, delivery.body) },
        body: delivery.body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      await res.arrayBuffer();
      delivery.lastStatus = res.status;
    } catch {
      delivery.lastStatus = 'error';
    }
    // The Messenger Platform FAQ: the webhook must answer 200, anything else is retried.
    if (delivery.lastStatus === 200) {
      delivery.delivered = true;
      subscription.failingSince = undefined;
      this.#stats.webhooks.delivered++;
      return true;
    }
    const now = this.#clock.now();
    subscription.failingSince ??= now;
    if (now - subscription.failingSince >= FAILING_WEBHOOK_UNSUBSCRIBE_MS) {
      this.#subscription = undefined;
      for (const pending of this.pending()) pending.abandoned = true;
    }
    return false;
  }
}
