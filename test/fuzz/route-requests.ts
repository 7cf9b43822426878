/**
 * Requests for the routes outside the OpenAPI document: provider webhook intake (raw bodies of
 * any type, some signed), the proxy (any method, path, headers and body), the connect pages,
 * the system routes, and routes or methods that do not exist.
 */
import fc from 'fast-check';
import { contentType, rawBody } from './bodies.ts';
import { deepNesting, hostileLeaf } from './hostile.ts';
import { builtOncePerPools, garbagePrincipal, knownPick } from './operation-requests.ts';
import { type FuzzBody, type FuzzRequest, Known, type Part, type Principal } from './request.ts';
import { hostileHeaderValue, hostileSegment, idLike, percentEncode } from './url-parts.ts';

export interface RouteOptions {
  bodyLimit: number;
  deep: boolean;
}

/** Any body a provider (or an attacker) might post, with any content type. */
function anyBody(options: RouteOptions): fc.Arbitrary<{ body: FuzzBody; type: string | null }> {
  const leaf = hostileLeaf({ hugeMax: options.bodyLimit - 1_024, deep: options.deep });
  return fc.record({
    body: fc.oneof(
      {
        weight: 3,
        arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value): FuzzBody => ({ kind: 'json', value })),
      },
      {
        weight: 3,
        arbitrary: leaf.map((value): FuzzBody => ({ kind: 'json', value: { id: 'evt', data: value } })),
      },
      ...(options.deep
        ? [
            {
              weight: 2,
              arbitrary: deepNesting.map((value): FuzzBody => ({ kind: 'json', value: { data: value } })),
            },
          ]
        : []),
      {
        weight: 3,
        arbitrary: rawBody(options.bodyLimit, options.deep).map(
          (bytes): FuzzBody => ({ kind: 'raw', bytes }),
        ),
      },
      { weight: 1, arbitrary: fc.constant<FuzzBody>({ kind: 'none' }) },
    ),
    type: contentType,
  });
}

function headersWith(type: string | null, more: Array<[string, Part]>): Array<[string, Part]> {
  return type === null ? more : [['content-type', type], ...more];
}

/** `/webhooks/<environment>/<integration key>[/<token>]`: unsigned junk, and signed deliveries. */
export function webhookRequests(options: RouteOptions): fc.Arbitrary<FuzzRequest> {
  const segment = (kind: string, prefix: string | null) =>
    fc.oneof(
      { weight: 6, arbitrary: knownPick(kind, 'none', true) as fc.Arbitrary<Part> },
      { weight: 1, arbitrary: idLike(prefix).map(percentEncode) },
      { weight: 1, arbitrary: hostileSegment },
    );
  const signatureHeaders = fc.array(
    fc.tuple(
      fc.constantFrom(
        'x-webhook-signature',
        'x-webhook-timestamp',
        'x-webhook-id',
        'x-webhook-event',
        'stripe-signature',
        'x-hub-signature-256',
        'x-shopify-hmac-sha256',
        'webhook-signature',
      ),
      hostileHeaderValue,
    ) as fc.Arbitrary<[string, Part]>,
    { maxLength: 4 },
  );
  const unsigned = fc
    .record({
      method: fc.constantFrom('POST', 'POST', 'POST', 'GET'),
      environment: segment('environment', 'env'),
      key: segment('webhookKey', null),
      token: fc.option(
        fc.oneof(knownPick('webhookToken', 'none', true) as fc.Arbitrary<Part>, hostileSegment),
        { freq: 3 },
      ),
      query: fc.option(fc.string({ maxLength: 30 }).map(percentEncode), { freq: 2 }),
      payload: anyBody(options),
      headers: signatureHeaders,
    })
    .map(
      ({ method, environment, key, token, query, payload, headers }): FuzzRequest => ({
        target: 'webhook intake',
        method,
        principal: 'none',
        path: ['/webhooks/', environment, '/', key, ...(token === null ? [] : ['/', token])],
        query: query === null ? [] : [['hub.challenge', query]],
        headers: headersWith(payload.type, headers),
        body: method === 'GET' ? { kind: 'none' } : payload.body,
      }),
    );
  // Signed with the fuzz integration's secret when sent, so the body is verified, stored and
  // readable through the inbound events API.
  const signed = fc
    .record({ payload: anyBody(options), id: hostileHeaderValue, event: hostileHeaderValue })
    .map(
      ({ payload, id, event }): FuzzRequest => ({
        target: 'webhook intake (signed)',
        method: 'POST',
        principal: 'none',
        path: [
          '/webhooks/',
          new Known('target:environment', 0),
          '/',
          new Known('target:signedWebhookKey', 0),
        ],
        query: [],
        headers: headersWith(payload.type ?? 'application/json', [
          ['x-webhook-id', id],
          ['x-webhook-event', event],
        ]),
        body: payload.body,
        sign: true,
      }),
    );
  return fc.oneof({ weight: 2, arbitrary: unsigned }, { weight: 1, arbitrary: signed });
}

const PROXY_PATHS = [
  '',
  '/',
  '/me',
  '//evil.example.test/x',
  '/..%2f..%2fadmin',
  '/%2e%2e/',
  '/a?b=1&b=2',
  '/%ff',
];

/** `ANY /proxy/*` with a connection header: any method, path, headers and body. */
export function proxyRequests(options: RouteOptions): fc.Arbitrary<FuzzRequest> {
  const principal: fc.Arbitrary<Principal> = fc.oneof(
    { weight: 8, arbitrary: fc.constant<Principal>('dev') },
    { weight: 2, arbitrary: fc.constantFrom<Principal>('prod', 'none', 'session') },
    { weight: 1, arbitrary: garbagePrincipal },
  );
  const forPrincipal = builtOncePerPools(true, (who) =>
    fc
      .record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
        path: fc.oneof(
          fc.constantFrom(...PROXY_PATHS),
          fc.array(hostileSegment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`),
        ),
        connection: fc.option(
          fc.oneof(
            { weight: 6, arbitrary: knownPick('conn', who, true) as fc.Arbitrary<Part> },
            { weight: 2, arbitrary: idLike('conn') },
            { weight: 1, arbitrary: hostileHeaderValue },
          ),
          { freq: 8 },
        ),
        headers: fc.array(
          fc.tuple(
            fc.constantFrom(
              'host',
              'x-forwarded-for',
              'cookie',
              'patchbay-other',
              'connection',
              'te',
              'accept',
            ),
            hostileHeaderValue,
          ) as fc.Arbitrary<[string, Part]>,
          { maxLength: 3 },
        ),
        payload: anyBody(options),
      })
      .map(
        ({ method, path, connection, headers, payload }): Omit<FuzzRequest, 'principal'> => ({
          target: 'proxy',
          method,
          path: ['/proxy', path],
          query: [],
          headers: headersWith(payload.type, [
            ...(connection === null ? [] : [['patchbay-connection-id', connection] as [string, Part]]),
            ...headers.filter(([name]) => name !== 'host' && name !== 'connection' && name !== 'te'),
          ]),
          body: method === 'GET' || method === 'HEAD' ? { kind: 'none' } : payload.body,
        }),
      ),
  );
  return principal.chain((who) =>
    forPrincipal(who).map((request): FuzzRequest => ({ ...request, principal: who })),
  );
}

/** The connect pages and their public routes, with junk in every parameter. */
export const connectPageRequests: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'GET', 'HEAD'),
    route: fc.oneof<fc.Arbitrary<Part[]>[]>(
      fc.constant<Part[]>(['/connect']),
      hostileSegment.map((file) => ['/connect/assets/', file]),
      fc
        .oneof(fc.constantFrom('fuzz-api', 'gumroad', 'stripe'), hostileSegment)
        .map((p) => ['/connect/logos/', p]),
      fc.constant<Part[]>(['/connect/oauth/callback']),
      fc
        .oneof(knownPick('int', 'none', false) as fc.Arbitrary<Part>, hostileSegment)
        .map((id) => ['/connect/install/', id]),
    ),
    query: fc.array(
      fc.tuple(
        fc.constantFrom(
          'session',
          'state',
          'code',
          'error',
          'error_description',
          'shop',
          'hmac',
          'timestamp',
          'host',
        ),
        fc.oneof(hostileSegment, fc.string({ maxLength: 30 }).map(percentEncode)),
      ) as fc.Arbitrary<[string, Part]>,
      { maxLength: 4 },
    ),
  })
  .map(({ method, route, query }) => ({
    target: `connect page ${typeof route[0] === 'string' ? route[0] : ''}`,
    method,
    principal: 'none' as const,
    path: route,
    query,
    headers: [],
    body: { kind: 'none' as const },
  }));

/** Public system routes, and routes or methods the API does not have. */
export const otherRequests: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH'),
    path: fc.oneof(
      fc.constantFrom(
        '/health',
        '/ready',
        '/metrics',
        '/openapi.json',
        '/v1/environment',
        '/v1',
        '/',
        '/v2/x',
      ),
      fc.array(hostileSegment, { minLength: 1, maxLength: 4 }).map((parts) => `/v1/${parts.join('/')}`),
    ),
  })
  .map(({ method, path }) => ({
    target: 'other routes',
    method,
    principal: 'dev' as const,
    path: [path],
    query: [],
    headers: [],
    body: { kind: 'none' as const },
  }));
