/**
 * The event types a provider's scripts may emit (actions and webhook handlers): the commerce and
 * messaging facts a host reacts to — an invoice paid, a checkout completed, a message that could
 * not be sent. Each schema is the part the script supplies; the engine adds the connection's
 * identities (`connectionId`, `endUserId`…) before the event is written, so a script can neither
 * forget them nor claim another connection's.
 *
 * The types are the same for every provider (a Stripe and a Square invoice are both `invoice.*`),
 * so a host subscribes once; `provider` in the data tells them apart. A new type is one entry here.
 */
import { z } from 'zod';

const id = (example: string) => z.string().min(1).meta({ example });
const iso = z.string().meta({ format: 'date-time', example: '2026-01-01T00:00:00.000Z' });
const metadata = z
  .record(z.string(), z.string())
  .meta({ description: "The provider object's metadata (the host's own keys, such as a buyer id)." });

/** What every `invoice.*` event says of the invoice. */
const invoiceFields = {
  invoiceId: id('in_1PXYZ'),
  number: z.string().nullable(),
  /** In the currency's minor unit (cents). */
  amount: z.number().int(),
  currency: z.string().length(3).meta({ example: 'usd' }),
  url: z.string().nullable(),
};
const invoiceState = {
  ...invoiceFields,
  status: z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']),
  customerId: z.string().nullable(),
  metadata,
};
const invoiceExample = {
  invoiceId: 'in_1PXYZ',
  number: 'INV-0001',
  amount: 4200,
  currency: 'usd',
  url: 'https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_YWNjdF8x',
  customerId: 'cus_PXYZ',
  metadata: { buyerId: 'buyer_17', rollupId: 'show_2026_12_06' },
};

/**
 * What every `store_order.*` event says of a store's order (the `orders` record's main fields).
 * The prefix is not `order.`: that one stays the host's own (`order.shipped` through the
 * messages API).
 */
const orderFields = {
  orderId: id('1042'),
  number: z.string().nullable(),
  status: z.enum(['draft', 'open', 'completed', 'cancelled', 'refunded', 'failed']),
  /** The store's own status word (`processing`, `on-hold`…). */
  providerStatus: z.string().nullable(),
  /** In the currency's minor unit (cents). */
  total: z.number().int(),
  currency: z.string().length(3).meta({ example: 'usd' }),
  customerId: z.string().nullable(),
  customerEmail: z.string().nullable(),
  metadata,
};
const orderExample = {
  orderId: '1042',
  number: '1042',
  status: 'open' as const,
  providerStatus: 'processing',
  total: 4200,
  currency: 'usd',
  customerId: '17',
  customerEmail: 'buyer@example.com',
  metadata: { buyerId: 'buyer_17' },
};

const recipient = z.object({
  /** The Page-scoped id of the person, when known. */
  psid: z.string().nullable(),
  /** The comment a private reply answers, when the message was one. */
  commentId: z.string().nullable(),
});

/** What every `email.*` event says of the message and the event. */
const emailFields = {
  /** The provider's id of the message, as `send-email` returned it. */
  emailId: id('4ef9a417-02e9-4d39-ad75-9611e0fcc33c'),
  recipient: z.string().nullable(),
  occurredAt: iso,
  /** The provider's own name of the event (`email.delivered`, `delivered`). */
  providerType: z.string(),
};
const emailExample = {
  emailId: '4ef9a417-02e9-4d39-ad75-9611e0fcc33c',
  recipient: 'buyer@example.com',
  occurredAt: '2026-01-01T00:00:00.000Z',
};

export interface ScriptEventDefinition<Schema extends z.ZodObject = z.ZodObject> {
  readonly description: string;
  /** The script's part of the data (the engine adds the connection's identities). */
  readonly data: Schema;
  readonly example: z.input<Schema>;
  /** The provider the documented example comes from. */
  readonly exampleProvider: string;
}

function scriptEvent<Schema extends z.ZodObject>(
  definition: ScriptEventDefinition<Schema>,
): ScriptEventDefinition<Schema> {
  return Object.freeze(definition);
}

/** The event types scripts emit, keyed by type. */
export const SCRIPT_EVENT_CATALOG = {
  'invoice.created': scriptEvent({
    exampleProvider: 'stripe',
    description: 'An invoice was created at the provider through an action.',
    data: z.object({ ...invoiceFields, status: z.string() }),
    example: {
      invoiceId: 'in_1PXYZ',
      number: 'INV-0001',
      amount: 4200,
      currency: 'usd',
      url: 'https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_YWNjdF8x',
      status: 'open',
    },
  }),
  'invoice.finalized': scriptEvent({
    exampleProvider: 'stripe',
    description: 'An invoice was finalized: it has a number and a hosted page, and can be paid.',
    data: z.object(invoiceState),
    example: { ...invoiceExample, status: 'open' },
  }),
  'invoice.sent': scriptEvent({
    exampleProvider: 'stripe',
    description: 'The provider emailed an invoice to its customer.',
    data: z.object(invoiceState),
    example: { ...invoiceExample, status: 'open' },
  }),
  'invoice.paid': scriptEvent({
    exampleProvider: 'stripe',
    description:
      'An invoice was paid at the provider; `metadata` carries the host’s keys (such as the buyer and the rollup).',
    data: z.object({ ...invoiceState, paidAt: iso }),
    example: { ...invoiceExample, status: 'paid', paidAt: '2026-01-01T00:00:00.000Z' },
  }),
  'invoice.payment_failed': scriptEvent({
    exampleProvider: 'stripe',
    description: 'A payment attempt on an invoice failed; the invoice stays open.',
    data: z.object(invoiceState),
    example: { ...invoiceExample, status: 'open' },
  }),
  'invoice.voided': scriptEvent({
    exampleProvider: 'stripe',
    description: 'An invoice was voided: it can no longer be paid.',
    data: z.object(invoiceState),
    example: { ...invoiceExample, status: 'void' },
  }),
  'invoice.uncollectible': scriptEvent({
    exampleProvider: 'stripe',
    description: 'An invoice was marked uncollectible (it may still be paid later).',
    data: z.object(invoiceState),
    example: { ...invoiceExample, status: 'uncollectible' },
  }),
  'rollup.invoiced': scriptEvent({
    exampleProvider: 'stripe',
    description:
      'An invoices-from-rollup run ended: how many buyers were invoiced, already invoiced before, or failed.',
    data: z.object({
      rollupId: id('show_2026_12_06'),
      buyers: z.number().int().nonnegative(),
      invoiced: z.number().int().nonnegative(),
      alreadyInvoiced: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
    }),
    example: { rollupId: 'show_2026_12_06', buyers: 25, invoiced: 24, alreadyInvoiced: 0, failed: 1 },
  }),
  'checkout.completed': scriptEvent({
    exampleProvider: 'stripe',
    description: 'A buyer completed a checkout page (a checkout session or payment link).',
    data: z.object({
      checkoutId: id('cs_test_a1PXYZ'),
      paymentId: z.string().nullable(),
      customerId: z.string().nullable(),
      customerEmail: z.string().nullable(),
      amount: z.number().int().nullable(),
      currency: z.string().length(3).nullable(),
      applicationFeeAmount: z.number().int().nullable(),
      metadata,
    }),
    example: {
      checkoutId: 'cs_test_a1PXYZ',
      paymentId: 'pi_3PXYZ',
      customerId: 'cus_PXYZ',
      customerEmail: 'buyer@example.com',
      amount: 4200,
      currency: 'usd',
      applicationFeeAmount: 210,
      metadata: { buyerId: 'buyer_17' },
    },
  }),
  'payment.refunded': scriptEvent({
    exampleProvider: 'stripe',
    description: 'A payment was refunded, in full or in part; `amountRefunded` is the total so far.',
    data: z.object({
      paymentId: id('ch_3PXYZ'),
      amount: z.number().int(),
      amountRefunded: z.number().int(),
      currency: z.string().length(3),
      fullyRefunded: z.boolean(),
      metadata,
    }),
    example: {
      paymentId: 'ch_3PXYZ',
      amount: 4200,
      amountRefunded: 4200,
      currency: 'usd',
      fullyRefunded: true,
      metadata: {},
    },
  }),
  'subscription.changed': scriptEvent({
    exampleProvider: 'whop',
    description:
      "A subscription (a Whop membership…) started, renewed, changed plan, was set to cancel or ended, as the provider reported it: `status` is where it stands now, `previousStatus` where Patchbay last saw it (null when new), and `endUserId` the host's user the connection belongs to.",
    data: z.object({
      subscriptionId: id('mem_XaB12cD34eF56g'),
      status: z.enum([
        'trialing',
        'active',
        'past_due',
        'canceled',
        'unpaid',
        'incomplete',
        'incomplete_expired',
        'paused',
      ]),
      previousStatus: z.string().nullable(),
      /** The provider's id of the buyer (a Whop user id, a Stripe customer id). */
      customerId: z.string().nullable(),
      /** The plans or prices subscribed to (Whop plan ids, Stripe price ids). */
      priceIds: z.array(z.string()),
      productIds: z.array(z.string()),
      cancelAtPeriodEnd: z.boolean(),
      currentPeriodEnd: iso.nullable(),
      canceledAt: iso.nullable(),
      /** The provider's own name of what happened (`membership.deactivated`). */
      providerType: z.string(),
      metadata,
    }),
    example: {
      subscriptionId: 'mem_XaB12cD34eF56g',
      status: 'canceled',
      previousStatus: 'active',
      customerId: 'user_Pq78rS90tU12vW',
      priceIds: ['plan_Gh34iJ56kL78mN'],
      productIds: ['prod_Yz90aB12cD34eF'],
      cancelAtPeriodEnd: false,
      currentPeriodEnd: '2026-02-01T00:00:00.000Z',
      canceledAt: '2026-01-15T00:00:00.000Z',
      providerType: 'membership.deactivated',
      metadata: {},
    },
  }),
  'store_order.created': scriptEvent({
    exampleProvider: 'woocommerce',
    description: 'A store received an order (placed by a buyer, or created through an action).',
    data: z.object(orderFields),
    example: orderExample,
  }),
  'store_order.updated': scriptEvent({
    exampleProvider: 'woocommerce',
    description:
      "A store's order changed: its status (paid, completed, cancelled, refunded), its lines or its totals.",
    data: z.object(orderFields),
    example: { ...orderExample, status: 'completed', providerStatus: 'completed' },
  }),
  'commerce.customer_data_requested': scriptEvent({
    exampleProvider: 'shopify',
    description:
      "A store's customer asked for the data kept about them (Shopify's `customers/data_request`): the host answers the store owner with it.",
    data: z.object({
      customerId: id('gid://shopify/Customer/207119551'),
      email: z.string().nullable(),
      orderIds: z.array(z.string()),
      requestId: z.string().nullable(),
    }),
    example: {
      customerId: 'gid://shopify/Customer/207119551',
      email: 'buyer@example.com',
      orderIds: ['gid://shopify/Order/450789469'],
      requestId: '9999',
    },
  }),
  'email.delivered': scriptEvent({
    exampleProvider: 'resend',
    description: "The recipient's mail server accepted a message sent through a `send-email` action.",
    data: z.object(emailFields),
    example: { ...emailExample, providerType: 'email.delivered' },
  }),
  'email.bounced': scriptEvent({
    exampleProvider: 'resend',
    description:
      'A message could not be delivered: bounced by the receiving server, or dropped or failed at the provider. A `hard` bounce means the address does not take mail: stop sending to it.',
    data: z.object({
      ...emailFields,
      bounce: z.object({ kind: z.enum(['hard', 'soft', 'undetermined']), reason: z.string().nullable() }),
    }),
    example: {
      ...emailExample,
      providerType: 'email.bounced',
      bounce: { kind: 'hard', reason: "The recipient's email address does not exist." },
    },
  }),
  'email.complained': scriptEvent({
    exampleProvider: 'sendgrid',
    description: 'The recipient marked a message as spam: stop sending them this kind of email.',
    data: z.object(emailFields),
    example: { ...emailExample, emailId: 'W8Y3ZgpnQ3uKeYsTpDYrHw', providerType: 'spamreport' },
  }),
  'message.received': scriptEvent({
    exampleProvider: 'facebook-messenger',
    description: 'A person sent the connected account a message.',
    data: z.object({
      messageId: id('m_AbCdEf'),
      senderId: id('24681357902468135'),
      text: z.string().nullable(),
      /** Attachment types (`image`, `file`…) in order. */
      attachments: z.array(z.string()),
      sentAt: iso,
    }),
    example: {
      messageId: 'm_AbCdEf',
      senderId: '24681357902468135',
      text: 'Is the blue one still available?',
      attachments: [],
      sentAt: '2026-01-01T00:00:00.000Z',
    },
  }),
  'message.sent': scriptEvent({
    exampleProvider: 'facebook-messenger',
    description: 'A message was accepted by the provider for a recipient.',
    data: z.object({
      messageId: id('m_AbCdEf'),
      recipient,
      text: z.string().nullable(),
      url: z.string().nullable(),
      /** The host's reference of the buyer, when it gave one. */
      buyerRef: z.string().nullable(),
    }),
    example: {
      messageId: 'm_AbCdEf',
      recipient: { psid: '24681357902468135', commentId: null },
      text: 'Your checkout link',
      url: 'https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_YWNjdF8x',
      buyerRef: 'buyer_17',
    },
  }),
  'message.delivered': scriptEvent({
    exampleProvider: 'facebook-messenger',
    description: 'Messages up to `watermark` were delivered to the recipient’s device.',
    data: z.object({ recipientId: id('24681357902468135'), messageIds: z.array(z.string()), watermark: iso }),
    example: {
      recipientId: '24681357902468135',
      messageIds: ['m_AbCdEf'],
      watermark: '2026-01-01T00:00:00.000Z',
    },
  }),
  'message.read': scriptEvent({
    exampleProvider: 'facebook-messenger',
    description: 'The recipient read the messages sent up to `watermark`.',
    data: z.object({ recipientId: id('24681357902468135'), watermark: iso }),
    example: { recipientId: '24681357902468135', watermark: '2026-01-01T00:00:00.000Z' },
  }),
  'message.fallback_required': scriptEvent({
    exampleProvider: 'facebook-messenger',
    description:
      'The provider refused a message for good (outside the messaging window, blocked, missing permission, expired token, unknown recipient, comment already answered): share `text` and `url` by hand.',
    data: z.object({
      reason: z.enum([
        'outside_window',
        'blocked',
        'permission_missing',
        'token_expired',
        'recipient_unavailable',
        'rejected',
      ]),
      /** The provider's own error, for the operator. */
      providerError: z.object({ code: z.string(), subcode: z.string().nullable(), message: z.string() }),
      recipient,
      /** The host's reference of the buyer, when it gave one. */
      buyerRef: z.string().nullable(),
      text: z.string(),
      url: z.string().nullable(),
    }),
    example: {
      reason: 'outside_window',
      providerError: {
        code: '10',
        subcode: '2018278',
        message: '(#10) This message is sent outside of allowed window.',
      },
      recipient: { psid: '24681357902468135', commentId: null },
      buyerRef: 'buyer_17',
      text: 'Thanks for buying at the show! Pay here:',
      url: 'https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_YWNjdF8x',
    },
  }),
} as const;

type ScriptCatalog = typeof SCRIPT_EVENT_CATALOG;
/** A type scripts may emit. */
export type ScriptEventType = keyof ScriptCatalog;
/** The data a script supplies for `T`. */
export type ScriptEventData<T extends ScriptEventType> = z.input<ScriptCatalog[T]['data']>;

/** True when scripts may emit `type`. */
export function isScriptEventType(type: string): type is ScriptEventType {
  return Object.hasOwn(SCRIPT_EVENT_CATALOG, type);
}
