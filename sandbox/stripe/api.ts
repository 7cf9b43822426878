/**
 * The request pipeline of `/v1/…`, in Stripe's order: an armed fault (429 or 5xx), the key and
 * the account acted on (401, 403), the route (404 for unknown URLs), the account's rate limit
 * (429), the form-encoded parameters (400), the idempotency key of a POST (replay, 400 for other
 * parameters, 409 while the first is running), then the endpoint. Every answer carries a
 * `Request-Id`, and the `Stripe-Version`, `Idempotency-Key` and `Stripe-Account` it was sent.
 */
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, isFormEncoded, readBody } from '../http/respond.ts';
import type { Handler } from '../http/router.ts';
import { authenticate, readOnlyRefusal } from './auth.ts';
import { STRIPE_API_VERSION, type StripeCore, scopeOf } from './context.ts';
import { invalidRequest, StripeApiError } from './errors.ts';
import { expand } from './expand.ts';
import { decodeForm, FormDecodeError, type FormObject } from './form.ts';
import { fingerprint } from './idempotency.ts';
import { newRequestId } from './ids.ts';
import { Params } from './params.ts';
import type { RouteTable } from './routes.ts';

const RATE_LIMITED =
  'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.';

export function createStripeApi(core: StripeCore, routes: RouteTable): Handler {
  return async (req, res, url) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const match = routes.match(method, url.pathname);
    const routeName = `${method} ${match ? match.route.pattern : url.pathname}`;
    const headers: Record<string, string> = {
      'Request-Id': newRequestId(),
      'Stripe-Version': header(req, 'stripe-version') ?? STRIPE_API_VERSION,
    };
    const idempotencyKey = method === 'POST' ? header(req, 'idempotency-key') : undefined;
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    const send = (status: number, body: string): void => {
      core.stats.count(routeName, status);
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-cache, no-store',
        ...headers,
      });
      res.end(body);
    };
    const fail = (error: StripeApiError): void => send(error.status, JSON.stringify(error.body(), null, 2));
    core.stats.requests++;

    const failure = core.faults.takeFailure();
    if (failure?.status === 429) {
      core.stats.tooManyRequests.injected++;
      return fail(rateLimited());
    }
    if (failure) {
      core.stats.serverErrors++;
      return fail(new StripeApiError(failure.status, 'api_error', 'An unknown error occurred'));
    }

    const auth = authenticate(core.accounts, req);
    if (!auth.ok) return fail(auth.error);
    if (auth.stripeAccount !== undefined) headers['Stripe-Account'] = auth.stripeAccount;
    if (!match) {
      return fail(
        new StripeApiError(
          404,
          'invalid_request_error',
          `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        ),
      );
    }
    // A platform's calls for connected accounts (by header or access token) count against it.
    if (core.limiter && !core.limiter.take(auth.platform?.id ?? auth.caller.id, method)) {
      core.stats.tooManyRequests.planned++;
      return fail(rateLimited());
    }
    if (method !== 'GET' && auth.scope === 'read_only') return fail(readOnlyRefusal(auth.account));

    let tree: FormObject;
    try {
      tree = await readParams(req, method, url);
    } catch (error) {
      if (error instanceof FormDecodeError)
        return fail(invalidRequest(error.message, { param: error.param }));
      if (error instanceof BodyTooLargeError) return fail(invalidRequest('Request body too large'));
      throw error;
    }

    const { account } = auth;
    if (idempotencyKey !== undefined) {
      if (idempotencyKey.length > 255) {
        return fail(invalidRequest('Idempotency keys can be at most 255 characters long.'));
      }
      const claim = account.idempotency.claim(
        idempotencyKey,
        fingerprint(method, url.pathname, tree),
        core.clock.now(),
      );
      if (claim.kind === 'replay') {
        core.stats.idempotentReplays++;
        headers['Idempotent-Replayed'] = 'true';
        return send(claim.status, claim.body);
      }
      if (claim.kind === 'mismatch') {
        return fail(
          new StripeApiError(
            400,
            'idempotency_error',
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          ),
        );
      }
      if (claim.kind === 'in_progress') {
        return fail(
          new StripeApiError(
            409,
            'invalid_request_error',
            `There is currently another in-progress request using this Stripe-Idempotency-Key (that probably means you submitted twice, and the other request is still going through): ${idempotencyKey}. Please try again later.`,
            { code: 'idempotency_key_in_use' },
          ),
        );
      }
    }

    await core.faults.takePause();
    const scope = scopeOf(core, account, {
      id: headers['Request-Id'] as string,
      idempotency_key: idempotencyKey ?? null,
    });
    let status = 200;
    let body: string;
    try {
      const params = new Params(tree);
      const paths = params.stringList('expand') ?? [];
      const answer = await match.route.handler({
        scope,
        params,
        path: match.path,
        caller: auth.caller,
        platform: auth.platform,
      });
      body = JSON.stringify(expand(answer, paths, scope), null, 2);
    } catch (error) {
      if (!(error instanceof StripeApiError)) {
        // An emulator bug: free the key so the failure does not turn every retry into a 409.
        if (idempotencyKey !== undefined) account.idempotency.release(idempotencyKey);
        throw error;
      }
      status = error.status;
      body = JSON.stringify(error.body(), null, 2);
      // Stripe saves no result for a request that failed validation, so a corrected retry works.
      if (idempotencyKey !== undefined && isValidationError(error)) {
        account.idempotency.release(idempotencyKey);
        return send(status, body);
      }
    }
    if (idempotencyKey !== undefined) account.idempotency.complete(idempotencyKey, status, body);
    send(status, body);
  };
}

function rateLimited(): StripeApiError {
  return new StripeApiError(429, 'invalid_request_error', RATE_LIMITED, { code: 'rate_limit' });
}

function isValidationError(error: StripeApiError): boolean {
  const code = error.code ?? '';
  return error.status === 400 && (code.startsWith('parameter') || error.options.param !== undefined);
}

async function readParams(req: IncomingMessage, method: string, url: URL): Promise<FormObject> {
  if (method !== 'POST') return decodeForm(url.search.slice(1));
  const body = await readBody(req);
  if (body.length === 0) return {};
  if (!isFormEncoded(req)) {
    throw new FormDecodeError(
      'Invalid request: the body must be application/x-www-form-urlencoded, as Stripe’s API v1 expects.',
      'body',
    );
  }
  return decodeForm(body.toString('utf8'));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() || undefined;
}
