/**
 * `defineSync`, `defineAction`, `defineWebhookHandler`, `definePaginator` and
 * `defineWebhookSubscriptions`: identity functions that give a provider script its types. The
 * loader (./loader.ts) validates what they return.
 */
import type { z } from 'zod';
import type { CustomPaginator } from './pagination/types.ts';
import type {
  ActionDefinition,
  ModelSchemas,
  SyncDefinition,
  WebhookHandlerDefinition,
  WebhookSubscriptionsDefinition,
} from './types.ts';

/**
 * Declares a sync.
 *
 * @example
 * export default defineSync({
 *   name: 'products',
 *   description: 'Products of the account',
 *   models: { products: productSchema },
 *   frequency: '1h',
 *   trackDeletes: true,
 *   async exec(ctx) {
 *     for await (const page of ctx.paginate({ method: 'GET', path: '/products' })) {
 *       await ctx.records.save('products', page.items.map(toProduct));
 *     }
 *   },
 * });
 */
export function defineSync<
  const Models extends ModelSchemas,
  CheckpointSchema extends z.ZodType = z.ZodType<never>,
  Row extends z.ZodType = z.ZodType<never>,
>(definition: SyncDefinition<Models, CheckpointSchema, Row>): SyncDefinition<Models, CheckpointSchema, Row> {
  return definition;
}

/** Declares an action: validated input, validated output, one write at the provider. */
export function defineAction<Input extends z.ZodType, Output extends z.ZodType>(
  definition: ActionDefinition<Input, Output>,
): ActionDefinition<Input, Output> {
  return definition;
}

/**
 * Declares a webhook handler, in `webhooks/handlers/<name>.ts` of a provider folder: what an
 * inbound event of one of `events` does to the routed connection's records and events, in the
 * transaction that marks the event processed.
 *
 * @example
 * export default defineWebhookHandler({
 *   name: 'invoices',
 *   description: 'Moves an invoice record when the provider reports it paid',
 *   events: ['invoice.paid'],
 *   models: { invoices: invoiceModel },
 *   async handle(ctx, event) {
 *     const invoice = toInvoice((event.payload as { data: { object: unknown } }).data.object);
 *     const stored = await ctx.records.get('invoices', invoice.id);
 *     if (stored && !invoiceStatusMayMove(stored.status, invoice.status)) return;
 *     await ctx.records.save('invoices', [invoice]);
 *     ctx.events.emit('invoice.paid', { ... });
 *   },
 * });
 */
export function defineWebhookHandler<const Models extends ModelSchemas>(
  definition: WebhookHandlerDefinition<Models>,
): WebhookHandlerDefinition<Models> {
  return definition;
}

/**
 * Declares a provider's own pagination style, in `paginators/<name>.ts` of its folder; the
 * definition uses it as `pagination: { type: 'custom', name: '<name>', options: {…} }`. It says
 * what a page's request carries (`request`) and where the next page starts (`next`, null on the
 * last page); the engine sends the requests, reads the items at `resultsPath`, prefetches,
 * resumes from checkpoints, and refuses loops and next URLs on other origins. `position` is the
 * kind of position `next` returns (`cursor`, `offset`, `page` or an absolute `url`); `options`,
 * when given, checks the definition's options as the provider loads.
 *
 * @example
 * // The next page's token arrives in a response header.
 * export default definePaginator({
 *   position: 'cursor',
 *   options: z.object({ header: z.string(), param: z.string() }),
 *   request: (settings, listing, position) => ({
 *     ...listing,
 *     query: { ...listing.query, ...(position?.type === 'cursor' ? { [settings.options.param]: position.cursor } : {}) },
 *   }),
 *   next: (settings, page) => {
 *     const token = page.headers[settings.options.header];
 *     return token ? { type: 'cursor', cursor: token } : null;
 *   },
 * });
 */
export function definePaginator<O = Record<string, unknown>>(
  paginator: CustomPaginator<O>,
): CustomPaginator<O> {
  return paginator;
}

/**
 * Declares how a provider's webhooks are registered per connection, in
 * `webhooks/subscriptions.ts` of its folder. The engine calls it: it registers a connection's
 * subscription when the connection is created or reconnected, removes it when the connection is
 * deleted, keeps the signing secret the provider returns (encrypted) to verify the connection's
 * deliveries, and a scheduled check repairs subscriptions that drifted.
 *
 * @example
 * export default defineWebhookSubscriptions({
 *   topics: ['orders/create', 'orders/updated'],
 *   topicsPerSubscription: 'one',
 *   async register(ctx, { url, topics }) {
 *     const { webhook } = await ctx.proxy.sendJson<{ webhook: { id: number } }>('POST', '/webhooks.json', {
 *       webhook: { topic: topics[0], address: url, format: 'json' },
 *     });
 *     return { id: String(webhook.id) };
 *   },
 *   async list(ctx) {
 *     const { webhooks } = await ctx.proxy.getJson<{ webhooks: Array<{ id: number; address: string; topic: string }> }>('/webhooks.json');
 *     return webhooks.map((w) => ({ id: String(w.id), url: w.address, topics: [w.topic] }));
 *   },
 *   async remove(ctx, id) {
 *     await ctx.proxy.request({ method: 'DELETE', path: `/webhooks/${id}.json` });
 *   },
 * });
 */
export function defineWebhookSubscriptions(
  definition: WebhookSubscriptionsDefinition,
): WebhookSubscriptionsDefinition {
  return definition;
}
