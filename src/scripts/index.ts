/**
 * The script API, `patchbay/scripts`: everything a provider folder needs and nothing of the
 * engine's internals. A provider's `definition` calls `defineProvider`, its `syncs/<name>`,
 * `actions/<name>` and `webhooks/handlers/<name>` call `defineSync` / `defineAction` /
 * `defineWebhookHandler`, its `webhooks/subscriptions` calls `defineWebhookSubscriptions`, and
 * its code may throw `PatchbayError`
 * with a stable code (`provider_error`, `provider_response_invalid`…).
 *
 * `z` is the zod the engine validates with: a host's provider that builds its models with it
 * needs no zod of its own (and cannot end up with a second copy of it).
 *
 * Built-in providers import this module by its path in the repository (src/scripts/index.ts);
 * a host's providers, in `PATCHBAY_PROVIDER_DIRS`, import it as `patchbay/scripts`.
 *
 * @example
 * import { defineAction, z } from 'patchbay/scripts';
 *
 * export default defineAction({
 *   name: 'create-note',
 *   description: 'Adds a note.',
 *   input: z.object({ text: z.string().min(1) }),
 *   output: z.object({ id: z.string() }),
 *   exec: (ctx, input) => ctx.proxy.sendJson('POST', '/notes', input),
 * });
 */

export { z } from 'zod';
export { defineProvider } from '../catalog/define.ts';
export type { ProviderDefinition, ProviderDefinitionInput } from '../catalog/schema.ts';
export {
  type ErrorCode,
  isPatchbayError,
  PatchbayError,
  type PatchbayErrorOptions,
} from '../errors/index.ts';
export type { ScriptEventData, ScriptEventType } from '../events/index.ts';
export {
  type CustomerRecord,
  commerceModels,
  customerModel,
  type InvoiceRecord,
  type InvoiceStatus,
  invoiceLineModel,
  invoiceModel,
  invoiceStatus,
  invoiceStatusMayMove,
  type PaymentRecord,
  type ProductRecord,
  paymentModel,
  paymentStatus,
  priceModel,
  productModel,
  refundModel,
  type SubscriptionRecord,
  subscriptionModel,
  subscriptionStatus,
} from '../models/commerce.ts';
export {
  type EmailEventRecord,
  type EmailEventType,
  type EmailRecord,
  emailBounce,
  emailEventModel,
  emailEventType,
  emailModel,
  emailModels,
  type SendEmailInput,
  sendEmailInput,
  sendEmailOutput,
} from '../models/email.ts';
export type { ProviderRequest, ProviderResponse } from '../proxy/types.ts';
export {
  defineAction,
  definePaginator,
  defineSync,
  defineWebhookHandler,
  defineWebhookSubscriptions,
} from '../scripting/define.ts';
export type { ScriptEvents } from '../scripting/events.ts';
export type { CustomPaginator, FetchedPage, ListingRequest } from '../scripting/pagination/types.ts';
export type {
  ActionContext,
  ActionDefinition,
  ActionProgressUpdate,
  CheckpointStore,
  ListedWebhookSubscription,
  ModelSchemas,
  Page,
  PageCursor,
  PaginateRequest,
  RecordShape,
  RecordsWriter,
  RegisteredWebhookSubscription,
  ScriptConnection,
  ScriptContext,
  ScriptProxy,
  ScriptRequestOptions,
  SyncContext,
  SyncDefinition,
  SyncImport,
  SyncRunInfo,
  WebhookHandlerConnection,
  WebhookHandlerContext,
  WebhookHandlerDefinition,
  WebhookHandlerEvent,
  WebhookRecords,
  WebhookSubscriptionRequest,
  WebhookSubscriptionsContext,
  WebhookSubscriptionsDefinition,
  WebhookSubscriptionTarget,
} from '../scripting/types.ts';
