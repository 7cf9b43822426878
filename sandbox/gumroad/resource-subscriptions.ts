/**
 * Gumroad's resource subscriptions ("pings") in the emulator, from the API reference
 * (https://gumroad.com/api#resource-subscriptions): `PUT /v2/resource_subscriptions` with
 * `resource_name` and `post_url` subscribes, `GET /v2/resource_subscriptions?resource_name=…`
 * lists one resource's subscriptions, `DELETE /v2/resource_subscriptions/:id` removes one. A ping
 * is an unsigned `application/x-www-form-urlencoded` POST of the sale's fields plus
 * `resource_name` to each subscribed URL; Gumroad signs nothing, so the URL is all a receiver has.
 */
import { randomBytes } from 'node:crypto';

/** The resources Gumroad accepts in `resource_name`. */
export const GUMROAD_RESOURCES = [
  'sale',
  'refund',
  'dispute',
  'dispute_won',
  'cancellation',
  'subscription_updated',
  'subscription_ended',
  'subscription_restarted',
] as const;

export type GumroadResource = (typeof GUMROAD_RESOURCES)[number];

/** One subscription as the API serves it. */
export interface GumroadResourceSubscription {
  id: string;
  resource_name: GumroadResource;
  post_url: string;
}

/** One ping sent: where, what, and the receiver's status (null when unreachable). */
export interface GumroadPing {
  subscriptionId: string;
  url: string;
  resource: GumroadResource;
  body: string;
  status: number | null;
}

/** The subscriptions of the emulated account and the pings sent to them. */
export class ResourceSubscriptions {
  readonly #byId = new Map<string, GumroadResourceSubscription>();
  /** Every ping sent, oldest first. */
  readonly pings: GumroadPing[] = [];

  /** True for a name Gumroad accepts. */
  static isResource(name: string): name is GumroadResource {
    return (GUMROAD_RESOURCES as readonly string[]).includes(name);
  }

  /** Subscribes `url` to `resource`; Gumroad makes a new subscription on every call. */
  add(resource: GumroadResource, url: string): GumroadResourceSubscription {
    // Gumroad's external ids: 16 random bytes, url-safe base64 with padding.
    const subscription = {
      id: `${randomBytes(16).toString('base64url')}==`,
      resource_name: resource,
      post_url: url,
    };
    this.#byId.set(subscription.id, subscription);
    return { ...subscription };
  }

  /** The subscriptions of one resource, oldest first. */
  list(resource: GumroadResource): GumroadResourceSubscription[] {
    return [...this.#byId.values()].filter((s) => s.resource_name === resource).map((s) => ({ ...s }));
  }

  /** Every subscription, oldest first. */
  all(): GumroadResourceSubscription[] {
    return [...this.#byId.values()].map((s) => ({ ...s }));
  }

  /** Removes a subscription; false when there is none with that id. */
  remove(id: string): boolean {
    return this.#byId.delete(id);
  }

  /** POSTs `fields` as a `resource` ping to every subscription of that resource; never throws. */
  async ping(resource: GumroadResource, fields: Record<string, unknown>): Promise<GumroadPing[]> {
    const body = new URLSearchParams(formFields({ ...fields, resource_name: resource })).toString();
    const sent = await Promise.all(
      this.list(resource).map(async (subscription): Promise<GumroadPing> => {
        let status: number | null = null;
        try {
          const answer = await fetch(subscription.post_url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body,
            signal: AbortSignal.timeout(15_000),
          });
          await answer.arrayBuffer();
          status = answer.status;
        } catch {
          status = null;
        }
        return { subscriptionId: subscription.id, url: subscription.post_url, resource, body, status };
      }),
    );
    this.pings.push(...sent);
    return sent;
  }
}

/**
 * A sale's JSON as Rails form parameters: scalars as text, nested objects as `key[sub]`, nulls
 * and arrays of objects left out (Gumroad's ping carries the flat sale fields).
 */
function formFields(fields: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(fields)) {
    const name = prefix === '' ? key : `${prefix}[${key}]`;
    if (value === null || value === undefined || Array.isArray(value)) continue;
    if (typeof value === 'object') pairs.push(...formFields(value as Record<string, unknown>, name));
    else pairs.push([name, String(value)]);
  }
  return pairs;
}
