/**
 * Calls into a provider's `webhooks/subscriptions` script, held to its contract: answers are
 * validated (`webhook_subscription_invalid`), anything thrown that is not a PatchbayError becomes
 * `webhook_subscription_failed` with a redacted message, and a removal the provider answers 404
 * or 410 counts as done.
 */
import { z } from 'zod';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import { redactString } from '../logger/index.ts';
import type {
  ListedWebhookSubscription,
  RegisteredWebhookSubscription,
  WebhookSubscriptionRequest,
  WebhookSubscriptionsContext,
  WebhookSubscriptionsDefinition,
  WebhookSubscriptionTarget,
} from '../scripting/types.ts';

const MAX_MESSAGE = 500;

const idSchema = z.string().min(1).max(500);
const topicsSchema = z.array(z.string().min(1).max(200));
const registeredSchema = z.object({
  id: idSchema,
  secret: z.string().min(1).max(2000).nullable().optional(),
  topics: topicsSchema.optional(),
});
const listedSchema = z.array(
  z.object({
    id: idSchema,
    url: z.string().max(4000),
    topics: topicsSchema,
    enabled: z.boolean().optional(),
  }),
);

/** Provider statuses that mean "try again later". */
const TRANSIENT_STATUSES = new Set([408, 425, 429]);
const TRANSIENT_CODES = new Set([
  'provider_unreachable',
  'provider_timeout',
  'refresh_failed',
  'database_unavailable',
  'job_timeout',
]);

export async function registerSubscription(
  script: WebhookSubscriptionsDefinition,
  context: WebhookSubscriptionsContext,
  request: WebhookSubscriptionRequest,
): Promise<RegisteredWebhookSubscription> {
  const answer = await guarded('register', () => script.register(context, request));
  const parsed = registeredSchema.safeParse(answer);
  if (!parsed.success) throw invalidAnswer('register', parsed.error);
  return {
    id: parsed.data.id,
    ...(parsed.data.secret ? { secret: parsed.data.secret } : {}),
    ...(parsed.data.topics ? { topics: parsed.data.topics } : {}),
  };
}

export async function listSubscriptions(
  script: WebhookSubscriptionsDefinition,
  context: WebhookSubscriptionsContext,
): Promise<ListedWebhookSubscription[]> {
  const answer = await guarded('list', () => script.list(context));
  const parsed = listedSchema.safeParse(answer);
  if (!parsed.success) throw invalidAnswer('list', parsed.error);
  return parsed.data.map((item) => ({
    id: item.id,
    url: item.url,
    topics: item.topics,
    ...(item.enabled === undefined ? {} : { enabled: item.enabled }),
  }));
}

export async function updateSubscription(
  script: WebhookSubscriptionsDefinition,
  context: WebhookSubscriptionsContext,
  id: string,
  target: WebhookSubscriptionTarget,
): Promise<void> {
  const update = script.update;
  if (!update) throw new PatchbayError('internal_error', 'The script has no update');
  await guarded('update', () => update.call(script, context, id, target));
}

/** Removes one; already gone at the provider (404, 410) is done. */
export async function removeSubscription(
  script: WebhookSubscriptionsDefinition,
  context: WebhookSubscriptionsContext,
  id: string,
): Promise<void> {
  try {
    await guarded('remove', () => script.remove(context, id));
  } catch (error) {
    const status = providerStatus(error);
    if (status === 404 || status === 410) return;
    throw error;
  }
}

/** Whether a failure may pass with time (an outage, a rate limit), so the job is worth retrying. */
export function isTransient(error: unknown): boolean {
  if (!isPatchbayError(error)) return true; // the database or the process, not the provider's verdict
  if (TRANSIENT_CODES.has(error.code)) return true;
  const status = providerStatus(error);
  return status !== undefined && (TRANSIENT_STATUSES.has(status) || status >= 500);
}

/** The code and message kept on the row and shown by the API: redacted, without the URL's token. */
export function failureOf(error: unknown, token: string | null): { code: string; message: string } {
  const code = isPatchbayError(error) ? error.code : 'internal_error';
  let message = error instanceof Error ? error.message : String(error);
  if (token !== null) message = message.replaceAll(token, '[REDACTED]');
  return { code, message: redactString(message, MAX_MESSAGE) };
}

function providerStatus(error: unknown): number | undefined {
  if (!isPatchbayError(error, 'provider_error')) return undefined;
  const status = (error.details as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

async function guarded<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isPatchbayError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new PatchbayError(
      'webhook_subscription_failed',
      redactString(`The webhook subscriptions script's ${what} failed: ${message}`, MAX_MESSAGE),
      { cause: error },
    );
  }
}

function invalidAnswer(what: string, error: z.ZodError): PatchbayError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  return new PatchbayError(
    'webhook_subscription_invalid',
    `The webhook subscriptions script's ${what} answered outside its contract: ${issues
      .map((i) => `${i.path || '(root)'}: ${i.message}`)
      .join('; ')}`,
    { details: { issues } },
  );
}
