/**
 * What the proxy needs to call a provider: the base URL, what it adds to every request (auth
 * headers, query parameters, HTTP basic credentials), the rate limit to respect and the retry
 * policy. Credentials are injected here once; syncs and actions never add auth themselves.
 */
import { z } from 'zod';
import {
  headerName,
  httpStatus,
  incomingHeader,
  jsonPath,
  paramName,
  positiveInt,
  textTemplate,
  urlTemplate,
} from './common.ts';

/** A header template, or one the proxy leaves out when a value it uses is absent. */
const headerValue = z.union([
  textTemplate,
  z.strictObject({ value: textTemplate, optional: z.literal(true) }),
]);

/**
 * How a provider says that a connection's credentials are no longer valid (revoked, expired, the
 * password changed), when it does not say it with a 401 the engine can cure by refreshing: the
 * Graph API answers 400 with `error.code` 190. An answer with one of `status` — and, when `path`
 * is given, a JSON body whose value at `path` is one of `values` — marks the connection
 * `reauth_required` (after one forced refresh, for credentials that can be refreshed).
 */
export const credentialsRejectedSchema = z
  .strictObject({
    status: z
      .array(httpStatus)
      .min(1)
      .refine((list) => new Set(list).size === list.length, { message: 'duplicate status' }),
    path: jsonPath.optional(),
    /** Compared with the value at `path` as text: `190` matches the number 190 and the string "190". */
    values: z
      .array(z.union([z.string().min(1), z.number()]))
      .min(1)
      .optional(),
  })
  .refine((rule) => (rule.path === undefined) === (rule.values === undefined), {
    message: 'path and values go together',
    path: ['values'],
  });

/** A regular expression, given as its source (checked when the definition loads). */
const pattern = z
  .string()
  .min(1)
  .max(200)
  .refine(
    (source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'not a valid regular expression' },
  );

/**
 * A condition on a connection's values: `value` renders with the same values as the proxy's
 * headers, and matches when the text matches `matches`. A value the connection lacks is no match.
 */
export const valueConditionSchema = z.strictObject({ value: textTemplate, matches: pattern });

/**
 * OAuth 1.0a one-legged signatures (RFC 5849) in the query string, for APIs that take a consumer
 * key and secret over plain HTTP (WooCommerce on an `http://` store). Each attempt is signed with
 * a fresh nonce and timestamp (src/proxy/oauth1.ts).
 */
const oauth1Schema = z.strictObject({
  consumerKey: textTemplate,
  consumerSecret: textTemplate,
  signatureMethod: z.enum(['HMAC-SHA1', 'HMAC-SHA256']),
  /** Sign only the connections this matches (WooCommerce: a store URL starting `http://`). */
  when: valueConditionSchema.optional(),
});

export const proxySchema = z.strictObject({
  /** e.g. `https://api.stripe.com`, `https://${shop}/admin/api/2025-07`, `${instanceUrl}/services/data/v62.0` */
  baseUrl: urlTemplate,
  /** e.g. `{ Authorization: 'Bearer ${accessToken}' }`; values render with the connection's values. */
  headers: z.record(headerName, headerValue).default({}),
  /** Query parameters added to every request (for APIs that take the key in the query string). */
  query: z.record(paramName, textTemplate).default({}),
  /** HTTP basic credentials (RFC 7617), for APIs that take key/secret as username/password. */
  basicAuth: z
    .strictObject({
      username: textTemplate,
      password: textTemplate,
      /** Send them only to the connections this matches (WooCommerce: an `https://` store URL). */
      when: valueConditionSchema.optional(),
    })
    .optional(),
  oauth1: oauth1Schema.optional(),
  credentialsRejected: credentialsRejectedSchema.optional(),
});

/**
 * A rate that applies instead of the definition's own to connections whose values match: the
 * allowance of a test-mode key (Stripe: `sk_test_…` gets 25 requests per second, `sk_live_…` 100)
 * or of a plan named in the connection's metadata. `value` renders with the same values as the
 * proxy's headers; a value it needs that the connection lacks is no match.
 */
const rateLimitCaseSchema = z.strictObject({
  when: valueConditionSchema,
  requests: positiveInt,
  windowSeconds: z.number().positive().max(86_400),
  burst: positiveInt.optional(),
});

/**
 * A cost-based bucket (Shopify's GraphQL Admin API, https://shopify.dev/docs/api/usage/limits):
 * each call spends points, the bucket refills at `restoreRate` points per second up to `maximum`,
 * and the answer's JSON body says where the bucket stands. Every path reads the answer's body;
 * the proxy learns each query's cost from `requested` and waits until the bucket holds it, so
 * calls are paced by cost rather than by count. An answer whose `errors` list has an entry whose
 * `code` is one of `throttledCodes` was refused unprocessed and is sent again once the bucket
 * holds the query's cost.
 */
const costBucketSchema = z.strictObject({
  /** The documented bucket, used until the first answer reports the connection's own. */
  maximum: positiveInt,
  restoreRate: z.number().positive(),
  paths: z.strictObject({
    maximum: jsonPath,
    available: jsonPath,
    restoreRate: jsonPath,
    /** The points a query needed to start (Shopify: requestedQueryCost). */
    requested: jsonPath,
    /** The list of errors, and each error's code within an entry. */
    errors: jsonPath,
    errorCode: jsonPath,
  }),
  throttledCodes: z.array(z.string().min(1).max(100)).min(1).max(10),
  /**
   * The JSON request body's field that tells one query from another (GraphQL: `query`): the cost
   * learned for a query is expected of its next call. Without it, one cost is kept per key.
   */
  estimateBy: jsonPath.optional(),
});

/**
 * Client-side limits the proxy keeps to (with rate-limiter-flexible), and the response headers
 * that say how much is left. `burst` models leaky buckets: Shopify's 40-request bucket that
 * drains 2 per second is `{ requests: 2, windowSeconds: 1, burst: 40 }`. `cases` replace the rate
 * for the connections they match (the first that matches; see rateLimitCaseSchema).
 */
export const rateLimitSchema = z
  .strictObject({
    requests: positiveInt.optional(),
    windowSeconds: z.number().positive().max(86_400).optional(),
    burst: positiveInt.optional(),
    /** Requests in flight at once (Mailchimp allows 10 per user). */
    concurrency: positiveInt.optional(),
    /** Who shares the budget: one connection (the usual: per account) or the whole integration. */
    scope: z.enum(['connection', 'integration']).default('connection'),
    /** Other rates for the connections they match, first match wins (Stripe's test-mode keys). */
    cases: z.array(rateLimitCaseSchema).min(1).max(10).optional(),
    /** A cost-based bucket read from the answers' bodies (Shopify GraphQL). */
    cost: costBucketSchema.optional(),
    /** How long to pause after a 429 that carries no Retry-After (Airtable: 30 s). */
    cooldownSeconds: positiveInt.max(3600).optional(),
    headers: z
      .strictObject({
        remaining: incomingHeader.optional(),
        reset: incomingHeader.optional(),
        resetUnit: z.enum(['seconds', 'milliseconds', 'epoch_seconds', 'epoch_milliseconds']).optional(),
        retryAfter: incomingHeader.default('retry-after'),
      })
      .prefault({}),
  })
  .superRefine((limit, ctx) => {
    if ((limit.requests === undefined) !== (limit.windowSeconds === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['windowSeconds'],
        message: 'requests and windowSeconds go together',
      });
    }
    if (limit.burst !== undefined && limit.requests === undefined) {
      ctx.addIssue({ code: 'custom', path: ['burst'], message: 'burst needs requests and windowSeconds' });
    }
    if (limit.burst !== undefined && limit.requests !== undefined && limit.burst < limit.requests) {
      ctx.addIssue({
        code: 'custom',
        path: ['burst'],
        message: 'burst is the bucket size: at least requests',
      });
    }
    limit.cases?.forEach((rate, index) => {
      if (rate.burst !== undefined && rate.burst < rate.requests) {
        ctx.addIssue({
          code: 'custom',
          path: ['cases', index, 'burst'],
          message: 'burst is the bucket size: at least requests',
        });
      }
    });
    if ((limit.headers.reset === undefined) !== (limit.headers.resetUnit === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['headers', 'resetUnit'],
        message: 'reset and resetUnit go together',
      });
    }
  });

/** Retries of failed provider calls: exponential backoff with jitter, honoring Retry-After. */
export const retrySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(10),
    retryOn: z.array(httpStatus).min(1),
    baseDelayMs: z.number().int().min(10).max(60_000),
    maxDelayMs: z
      .number()
      .int()
      .min(10)
      .max(15 * 60_000),
  })
  .refine((r) => r.baseDelayMs <= r.maxDelayMs, {
    message: 'baseDelayMs exceeds maxDelayMs',
    path: ['baseDelayMs'],
  })
  .refine((r) => new Set(r.retryOn).size === r.retryOn.length, {
    message: 'duplicate status',
    path: ['retryOn'],
  });

/** The retry policy of a definition that does not set one. */
export const DEFAULT_RETRY = Object.freeze({
  maxAttempts: 4,
  retryOn: [408, 425, 429, 500, 502, 503, 504],
  baseDelayMs: 500,
  maxDelayMs: 30_000,
});

export type ProxyConfig = z.output<typeof proxySchema>;
export type OAuth1Config = z.output<typeof oauth1Schema>;
export type ValueCondition = z.output<typeof valueConditionSchema>;
export type CredentialsRejected = z.output<typeof credentialsRejectedSchema>;
export type RateLimit = z.output<typeof rateLimitSchema>;
export type CostBucket = z.output<typeof costBucketSchema>;
export type Retry = z.output<typeof retrySchema>;
