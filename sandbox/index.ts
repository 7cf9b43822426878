/**
 * Local emulators of provider APIs for tests, benchmarks and `patchbay demo`. Each emulator lives
 * in its own folder (`oauth/` is the generic OAuth 2.0 provider; provider-specific ones such as
 * `gumroad/`, `facebook-messenger/`, `stripe/`, `resend/`, `sendgrid/`, `whop/`, `woocommerce/` and `shopify/` sit beside it) and shares the tiny HTTP helpers of `http/`.
 */

export type { MessengerPerson, MessengerSandboxControl } from './facebook-messenger/control.ts';
export type { WebhookField } from './facebook-messenger/events.ts';
export type { MessengerFaultControl, RateLimitFault } from './facebook-messenger/faults.ts';
export type { GraphError, RateLimitCode } from './facebook-messenger/graph-errors.ts';
export {
  GRAPH_VERSION,
  MESSENGER_SCOPES,
  type MessengerSandbox,
  type MessengerSandboxOptions,
  startMessengerSandbox,
} from './facebook-messenger/server.ts';
export type { MessengerSandboxStats } from './facebook-messenger/stats.ts';
export type { SentMessage } from './facebook-messenger/store.ts';
export {
  type SubscribeOptions,
  type SubscribeResult,
  signatureHeaders,
  type WebhookDelivery as MessengerWebhookDelivery,
} from './facebook-messenger/webhooks.ts';
export type { GumroadFaultControl } from './gumroad/faults.ts';
export {
  GUMROAD_RESOURCES,
  type GumroadPing,
  type GumroadResource,
  type GumroadResourceSubscription,
} from './gumroad/resource-subscriptions.ts';
export {
  GUMROAD_PAGE_SIZE,
  GUMROAD_SCOPES,
  type GumroadSandbox,
  type GumroadSandboxControl,
  type GumroadSandboxOptions,
  startGumroadSandbox,
} from './gumroad/server.ts';
export type { GumroadSandboxStats } from './gumroad/stats.ts';
export { type ArmedFault, ArmedFaults } from './http/faults.ts';
export { type Listening, type ListenOptions, listen } from './http/listen.ts';
export type { ReceivedApiRequest } from './http/received.ts';
export { escapeHtml, readBody, redirect, sendHtml, sendJson } from './http/respond.ts';
export { type Handler, Router } from './http/router.ts';
export { authenticateBearer } from './oauth/api.ts';
export type { OAuthSandboxClient } from './oauth/clients.ts';
export type { OAuthSandboxContext, OAuthSandboxPaths } from './oauth/context.ts';
export type { FailureOptions, FailureStatus } from './oauth/faults.ts';
export type { SandboxItem } from './oauth/items.ts';
export type { RateLimitOptions } from './oauth/rate-limit.ts';
export {
  type OAuthSandbox,
  type OAuthSandboxControl,
  type OAuthSandboxOptions,
  startOAuthSandbox,
} from './oauth/server.ts';
export type { AcceptedApiRequest, OAuthSandboxStats } from './oauth/stats.ts';
export type { SandboxClock } from './oauth/tokens.ts';
export type { AcceptedEmail, ResendEmail } from './resend/emails.ts';
export type { ResendRateLimit } from './resend/rate-limit.ts';
export {
  type ResendSandbox,
  type ResendSandboxControl,
  type ResendSandboxOptions,
  startResendSandbox,
} from './resend/server.ts';
export {
  type EmailEventDetails,
  RESEND_EMAIL_EVENTS,
  type ResendDelivery,
  type ResendEmailEvent,
  type ResendWebhook,
} from './resend/webhooks.ts';
export type {
  EventRequest as SendGridEventRequest,
  SendGridDelivery,
  SendGridEventKind,
} from './sendgrid/event-webhook.ts';
export type { SendGridMessage } from './sendgrid/mail.ts';
export {
  SENDGRID_SCOPES,
  type SendGridRateLimit,
  type SendGridSandbox,
  type SendGridSandboxControl,
  type SendGridSandboxOptions,
  startSendGridSandbox,
} from './sendgrid/server.ts';
export type { QueryCost, ShopifyBucketOptions } from './shopify/cost.ts';
export {
  LOCATION_ID,
  type ShopifyDraftOrder,
  type ShopifySandbox,
  type ShopifySandboxControl,
  type ShopifySandboxOptions,
  type ShopifySandboxStats,
  startShopifySandbox,
  supportedApiVersions,
} from './shopify/server.ts';
export type {
  ShopifyCustomer,
  ShopifyOrder,
  ShopifyProduct,
  ShopifyVariant,
  ShopStore,
} from './shopify/store.ts';
export type { PlatformAccount, PlatformOptions } from './stripe/accounts.ts';
export type { Decline } from './stripe/cards.ts';
export { STRIPE_API_VERSION, type StripeClock } from './stripe/context.ts';
export type { ConnectedAccount, StripeSandboxControl } from './stripe/control.ts';
export type { StripeJson } from './stripe/json.ts';
export { type StripeRateLimit, TEST_MODE_RATE_LIMIT } from './stripe/rate-limit.ts';
export { type StripeSandbox, type StripeSandboxOptions, startStripeSandbox } from './stripe/server.ts';
export type { StripeSandboxStats } from './stripe/stats.ts';
export type {
  DeliveryAttempt,
  WebhookDelivery as StripeWebhookDelivery,
  WebhookDeliveryOptions,
} from './stripe/webhook-delivery.ts';
export { stripeSignatureHeader } from './stripe/webhook-signature.ts';
export {
  startWhopSandbox,
  WHOP_DEFAULT_RATE_LIMIT,
  type WhopRateLimit,
  type WhopSandbox,
  type WhopSandboxControl,
  type WhopSandboxOptions,
} from './whop/server.ts';
export type { WhopCompany, WhopSeed } from './whop/state.ts';
export type { WhopDelivery, WhopWebhook } from './whop/webhooks.ts';
export {
  startWooCommerceSandbox,
  WC_API_PREFIX,
  type WooCommerceSandbox,
  type WooCommerceSandboxControl,
  type WooCommerceSandboxOptions,
} from './woocommerce/server.ts';
export type {
  WcCustomer,
  WcError,
  WcOrder,
  WcOrderStatus,
  WcProduct,
  WcWebhook,
} from './woocommerce/types.ts';
export { type WcDelivery, wcSignature } from './woocommerce/webhooks.ts';
