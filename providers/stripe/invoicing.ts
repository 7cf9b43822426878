/**
 * One finalized invoice from line items, as Stripe builds it: a draft invoice
 * (`POST /v1/invoices`), one invoice item per line on it (`POST /v1/invoiceitems` with `invoice`:
 * the line's title as description, its quantity, its unit amount as `unit_amount_decimal`, so no
 * product is created in the account), then `POST /v1/invoices/:id/finalize`. Every POST carries
 * the Idempotency-Key of its step, and a draft found again (a run resumed after a crash) gets only
 * the lines it lacks: each item records its line's index in its metadata.
 */
import { type ScriptContext, z } from '../../src/scripts/index.ts';
import { pathOf, type StripeList, stripeRequest } from './api.ts';

/** A line of an invoice as the host gives it. */
export const invoiceLineInput = z.object({
  title: z.string().min(1).max(500),
  quantity: z.number().int().min(1).max(1_000_000),
  /** In the currency's minor unit (cents). */
  unitAmount: z.number().int().min(0).max(99_999_999),
  currency: z
    .string()
    .regex(/^[a-zA-Z]{3}$/, 'a three-letter ISO currency code')
    .transform((code) => code.toLowerCase()),
});
export type InvoiceLine = z.output<typeof invoiceLineInput>;

/** How the invoice is collected: emailed with a due date, or charged to the saved payment method. */
export const collectionInput = z
  .object({
    collectionMethod: z.enum(['send_invoice', 'charge_automatically']).default('send_invoice'),
    /** `send_invoice` only: days from finalization until it is due. Default 7. */
    daysUntilDue: z.number().int().min(0).max(365).optional(),
  })
  .refine((value) => value.collectionMethod === 'send_invoice' || value.daysUntilDue === undefined, {
    message: 'daysUntilDue goes with collectionMethod send_invoice',
    path: ['daysUntilDue'],
  });

/** Lines of one invoice share its currency. */
export function oneCurrency(lines: readonly { currency: string }[]): boolean {
  return new Set(lines.map((line) => line.currency.toLowerCase())).size <= 1;
}

/** The invoice fields the scripts read. */
export interface StripeInvoice {
  id: string;
  number: string | null;
  status: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
  customer: string;
  currency: string;
  total: number;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  collection_method: string;
  metadata: Record<string, string>;
}

/** An invoice as the Stripe actions answer it. */
export const invoiceSummary = z.object({
  invoiceId: z.string(),
  number: z.string().nullable(),
  status: z.string(),
  customerId: z.string(),
  total: z.number().int(),
  currency: z.string(),
  hostedInvoiceUrl: z.string().nullable(),
  invoicePdf: z.string().nullable(),
});
export type InvoiceSummary = z.output<typeof invoiceSummary>;

export function summaryOf(invoice: StripeInvoice): InvoiceSummary {
  return {
    invoiceId: invoice.id,
    number: invoice.number,
    status: invoice.status,
    customerId: invoice.customer,
    total: invoice.total,
    currency: invoice.currency,
    hostedInvoiceUrl: invoice.hosted_invoice_url,
    invoicePdf: invoice.invoice_pdf,
  };
}

/** The data of an `invoice.created` event for an invoice. */
export function createdEventOf(invoice: StripeInvoice) {
  return {
    invoiceId: invoice.id,
    number: invoice.number,
    amount: invoice.total,
    currency: invoice.currency,
    url: invoice.hosted_invoice_url,
    status: invoice.status,
  };
}

/** The metadata key of an invoice item that names its line (its index in the host's lines). */
export const LINE_KEY = 'patchbay_line';

export interface BuildInvoice {
  customerId: string;
  lines: readonly InvoiceLine[];
  collectionMethod: 'send_invoice' | 'charge_automatically';
  daysUntilDue?: number | undefined;
  /** The memo: the invoice's description. */
  description?: string | undefined;
  footer?: string | undefined;
  metadata?: Record<string, string> | undefined;
  /** The Idempotency-Key of a step (`invoice`, `item:0`, `finalize`). */
  keyOf(step: string): Promise<string>;
  /** A draft found for the same purpose: completed instead of creating another. */
  draft?: StripeInvoice | undefined;
}

/** Creates (or completes) the invoice and finalizes it; answers it as finalized. */
export async function buildFinalizedInvoice(ctx: ScriptContext, build: BuildInvoice): Promise<StripeInvoice> {
  const currency = build.lines[0]?.currency ?? 'usd';
  const sendInvoice = build.collectionMethod === 'send_invoice';
  const invoice =
    build.draft ??
    (await stripeRequest<StripeInvoice>(ctx, {
      method: 'POST',
      path: '/v1/invoices',
      params: {
        customer: build.customerId,
        currency,
        collection_method: build.collectionMethod,
        days_until_due: sendInvoice ? (build.daysUntilDue ?? 7) : undefined,
        description: build.description,
        footer: build.footer,
        metadata: build.metadata,
        auto_advance: false,
        pending_invoice_items_behavior: 'exclude',
      },
      idempotencyKey: await build.keyOf('invoice'),
    }));
  if (invoice.status !== 'draft') return invoice;
  const present = build.draft ? await linesPresent(ctx, invoice.id) : new Set<number>();
  for (const [index, line] of build.lines.entries()) {
    if (present.has(index)) continue;
    await stripeRequest(ctx, {
      method: 'POST',
      path: '/v1/invoiceitems',
      params: {
        customer: build.customerId,
        invoice: invoice.id,
        currency: line.currency,
        description: line.title,
        quantity: line.quantity,
        unit_amount_decimal: String(line.unitAmount),
        metadata: { [LINE_KEY]: String(index) },
      },
      idempotencyKey: await build.keyOf(`item:${index}`),
    });
  }
  return stripeRequest<StripeInvoice>(ctx, {
    method: 'POST',
    path: pathOf`/v1/invoices/${invoice.id}/finalize`,
    // A charge_automatically invoice is then charged by Stripe; a send_invoice one waits for /send.
    params: { auto_advance: !sendInvoice },
    idempotencyKey: await build.keyOf('finalize'),
  });
}

/** Indexes of the lines already on a draft (from its items' metadata). */
async function linesPresent(ctx: ScriptContext, invoiceId: string): Promise<Set<number>> {
  const present = new Set<number>();
  let after: string | undefined;
  for (;;) {
    const page = await stripeRequest<StripeList<{ id: string; metadata: Record<string, string> }>>(ctx, {
      method: 'GET',
      path: '/v1/invoiceitems',
      params: { invoice: invoiceId, limit: 100, starting_after: after },
    });
    for (const item of page.data) {
      const index = Number(item.metadata[LINE_KEY]);
      if (Number.isInteger(index)) present.add(index);
    }
    if (!page.has_more || page.data.length === 0) return present;
    after = page.data.at(-1)!.id;
  }
}

/** Retrieves an invoice. */
export function getInvoice(ctx: ScriptContext, id: string): Promise<StripeInvoice> {
  return stripeRequest<StripeInvoice>(ctx, { method: 'GET', path: pathOf`/v1/invoices/${id}` });
}
