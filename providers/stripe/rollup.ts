/**
 * The live-selling rollup: one finalized invoice per buyer of a rollup (a show), safe to run again
 * at any time. Per (connection, rollup, buyer) every step has a deterministic Idempotency-Key, and
 * before anything is created the rollup's invoices are looked up by their metadata (`rollupId`,
 * `buyerId`): the keys cover a re-run within Stripe's 24 hours (and the minute Stripe's search
 * index may lag), the lookup any time after. A buyer whose invoice exists is reported as such; a
 * draft left by a run that stopped is completed. One buyer's failure is reported for that buyer
 * and the others go on; a refusal that concerns the whole account (401, 403) stops the run.
 */
import { type ActionContext, isPatchbayError, type ScriptContext, z } from '../../src/scripts/index.ts';
import { scopedKey, searchAll, searchString, stripeErrorOf } from './api.ts';
import { customersByKey, findOrCreateCustomer, type StripeCustomer } from './customers.ts';
import {
  buildFinalizedInvoice,
  collectionInput,
  createdEventOf,
  invoiceLineInput,
  oneCurrency,
  type StripeInvoice,
} from './invoicing.ts';

/** The customer metadata key a buyer is found by: their platform handle. */
export const HANDLE_KEY = 'handle';
/** Invoice metadata: which run created it (so a resumed run knows its own invoices). */
export const RUN_KEY = 'patchbayRunId';

const buyerInput = z
  .object({
    buyerId: z.string().min(1).max(100),
    handle: z.string().min(1).max(200),
    /** Checked by Stripe: a malformed address fails this buyer with Stripe's `email_invalid`. */
    email: z.string().min(1).max(512).optional(),
    name: z.string().min(1).max(256).optional(),
    items: z.array(invoiceLineInput).min(1).max(250),
  })
  .refine((buyer) => oneCurrency(buyer.items), {
    message: "all of a buyer's items share one currency",
    path: ['items'],
  });

export const rollupInput = z.object({
  rollupId: z.string().min(1).max(100),
  buyers: z
    .array(buyerInput)
    .min(1)
    .max(1000)
    .refine((buyers) => new Set(buyers.map((b) => b.buyerId)).size === buyers.length, {
      message: 'each buyerId appears once',
    }),
  options: z
    .object({
      memo: z.string().max(1500).optional(),
      /** Buyers invoiced at once (the proxy keeps to Stripe's rate limit whatever this is). Default 4. */
      concurrency: z.number().int().min(1).max(16).default(4),
    })
    .and(collectionInput)
    .prefault({}),
});
export type RollupInput = z.output<typeof rollupInput>;
type Buyer = RollupInput['buyers'][number];

const buyerError = z.object({
  code: z.string(),
  message: z.string(),
  status: z.number().int().nullable(),
  type: z.string().nullable(),
  param: z.string().nullable(),
  declineCode: z.string().nullable(),
});

export const buyerResult = z.object({
  buyerId: z.string(),
  handle: z.string(),
  customerId: z.string().nullable(),
  invoiceId: z.string().nullable(),
  number: z.string().nullable(),
  hostedUrl: z.string().nullable(),
  invoicePdf: z.string().nullable(),
  status: z.string().nullable(),
  total: z.number().int().nullable(),
  /** The finalized invoice was there before this run (a re-run of the rollup): nothing was written. */
  alreadyExisted: z.boolean(),
  error: buyerError.nullable(),
});
type BuyerResult = z.output<typeof buyerResult>;

export const rollupOutput = z.object({
  rollupId: z.string(),
  invoiced: z.number().int(),
  alreadyInvoiced: z.number().int(),
  failed: z.number().int(),
  buyers: z.array(buyerResult),
});

/** Runs the rollup; see the module comment. */
export async function invoiceRollup(ctx: ActionContext, input: RollupInput) {
  const { rollupId, buyers, options } = input;
  const total = buyers.length;
  ctx.progress({ done: 0, total });
  const existing = await rollupInvoices(ctx, rollupId);
  const needCustomers = buyers.filter((buyer) => !existing.has(buyer.buyerId));
  const known =
    needCustomers.length === 0
      ? new Map<string, StripeCustomer>()
      : await customersByKey(
          ctx,
          HANDLE_KEY,
          needCustomers.map((buyer) => buyer.handle),
        );

  const results: BuyerResult[] = new Array(total);
  let done = 0;
  let fatal: unknown;
  let next = 0;
  const worker = async () => {
    while (fatal === undefined && next < total) {
      const index = next++;
      const buyer = buyers[index]!;
      try {
        results[index] = await invoiceBuyer(ctx, input, buyer, existing.get(buyer.buyerId), known);
      } catch (error) {
        if (isFatal(ctx, error)) {
          fatal ??= error;
          return;
        }
        results[index] = failedBuyer(buyer, error);
      }
      done += 1;
      ctx.progress({ done, total });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, total) }, worker));
  if (fatal !== undefined) throw fatal;

  const invoiced = results.filter((r) => r.error === null && !r.alreadyExisted).length;
  const alreadyInvoiced = results.filter((r) => r.error === null && r.alreadyExisted).length;
  const failed = results.filter((r) => r.error !== null).length;
  ctx.events.emit('rollup.invoiced', { rollupId, buyers: total, invoiced, alreadyInvoiced, failed });
  return { rollupId, invoiced, alreadyInvoiced, failed, buyers: results };
}

async function invoiceBuyer(
  ctx: ActionContext,
  input: RollupInput,
  buyer: Buyer,
  found: StripeInvoice | undefined,
  known: ReadonlyMap<string, StripeCustomer>,
): Promise<BuyerResult> {
  // An invoice this run created before its worker stopped is still this run's new invoice.
  const ours = found?.metadata[RUN_KEY] === ctx.runId;
  if (found && found.status !== 'draft') {
    // Its event was lost with the attempt that created it: this attempt reports it.
    if (ours) ctx.events.emit('invoice.created', createdEventOf(found));
    return resultOf(buyer, found, !ours);
  }
  const customerId =
    found?.customer ??
    (
      await findOrCreateCustomer(
        ctx,
        { key: { name: HANDLE_KEY, value: buyer.handle }, email: buyer.email },
        { email: buyer.email, name: buyer.name, metadata: { buyerId: buyer.buyerId } },
        // Keyed by what the customer is made of, so two rollups of one buyer share the customer.
        await scopedKey(
          [ctx.connection.id, 'customer', buyer.handle, buyer.email ?? '', buyer.name ?? ''],
          'create',
        ),
        known,
      )
    ).customer.id;
  const { options } = input;
  const invoice = await buildFinalizedInvoice(ctx, {
    customerId,
    lines: buyer.items,
    collectionMethod: options.collectionMethod,
    daysUntilDue: options.daysUntilDue,
    description: options.memo,
    metadata: {
      rollupId: input.rollupId,
      buyerId: buyer.buyerId,
      handle: buyer.handle,
      [RUN_KEY]: ctx.runId,
    },
    keyOf: (step) => scopedKey([ctx.connection.id, 'rollup', input.rollupId, buyer.buyerId], step),
    draft: found,
  });
  // This run finalized it (a draft found was left by a run that stopped): a new invoice to the host.
  ctx.events.emit('invoice.created', createdEventOf(invoice));
  return resultOf(buyer, invoice, false);
}

/** The rollup's invoices by buyer id (the one furthest along when a buyer has several). */
async function rollupInvoices(ctx: ScriptContext, rollupId: string): Promise<Map<string, StripeInvoice>> {
  const invoices = await searchAll<StripeInvoice>(
    ctx,
    '/v1/invoices/search',
    `metadata[${searchString('rollupId')}]:${searchString(rollupId)}`,
  );
  const byBuyer = new Map<string, StripeInvoice>();
  for (const invoice of invoices.sort((a, b) => a.id.localeCompare(b.id))) {
    const buyerId = invoice.metadata.buyerId;
    if (buyerId === undefined || invoice.metadata.rollupId !== rollupId) continue;
    const kept = byBuyer.get(buyerId);
    if (!kept || (kept.status === 'draft' && invoice.status !== 'draft')) byBuyer.set(buyerId, invoice);
  }
  return byBuyer;
}

function resultOf(buyer: Buyer, invoice: StripeInvoice, alreadyExisted: boolean): BuyerResult {
  return {
    buyerId: buyer.buyerId,
    handle: buyer.handle,
    customerId: invoice.customer,
    invoiceId: invoice.id,
    number: invoice.number,
    hostedUrl: invoice.hosted_invoice_url,
    invoicePdf: invoice.invoice_pdf,
    status: invoice.status,
    total: invoice.total,
    alreadyExisted,
    error: null,
  };
}

function failedBuyer(buyer: Buyer, error: unknown): BuyerResult {
  const stripe = stripeErrorOf(error);
  const base = {
    buyerId: buyer.buyerId,
    handle: buyer.handle,
    customerId: null,
    invoiceId: null,
    number: null,
    hostedUrl: null,
    invoicePdf: null,
    status: null,
    total: null,
    alreadyExisted: false,
  };
  if (stripe) {
    return {
      ...base,
      error: {
        code: stripe.code ?? stripe.type ?? 'provider_error',
        message: stripe.message.slice(0, 500),
        status: stripe.status,
        type: stripe.type,
        param: stripe.param,
        declineCode: stripe.decline_code,
      },
    };
  }
  const code = isPatchbayError(error) ? error.code : 'action_failed';
  const message = error instanceof Error ? error.message : String(error);
  return {
    ...base,
    error: { code, message: message.slice(0, 500), status: null, type: null, param: null, declineCode: null },
  };
}

/** Errors no other buyer would escape: the run stops on them. */
function isFatal(ctx: ScriptContext, error: unknown): boolean {
  if (ctx.signal.aborted) return true;
  const stripe = stripeErrorOf(error);
  if (stripe) return stripe.status === 401 || stripe.status === 403;
  // The connection itself is unusable (revoked, needs reauthorization) or the engine stopped us.
  return (
    isPatchbayError(error) && (error.code === 'connection_reauth_required' || error.code === 'not_found')
  );
}
