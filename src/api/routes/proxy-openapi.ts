/**
 * The OpenAPI description of `/proxy/*`. The route is registered raw (it streams any body and
 * any content type, which a schema-validated operation cannot), so its path item is written here
 * by hand; the error codes are the ones the proxy answers with.
 */
import { ERROR_STATUS, type ErrorCode } from '../../errors/index.ts';

const ERRORS: readonly ErrorCode[] = [
  'proxy_header_missing',
  'proxy_path_invalid',
  'invalid_id',
  'invalid_request',
  'ssrf_blocked',
  'unauthorized',
  'invalid_api_key',
  'not_found',
  'connection_reauth_required',
  'payload_too_large',
  'rate_limited',
  'refresh_failed',
  'provider_unreachable',
  'provider_timeout',
];

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function errorResponses(): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ERRORS)
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      String(status),
      {
        description: `Patchbay refused or could not complete the call: ${codes.map((c) => `\`${c}\``).join(', ')}. A provider's own error answers are passed through as they are, not in this shape.`,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );
}

function operation(method: (typeof METHODS)[number]): Record<string, unknown> {
  return {
    operationId: `proxy${method[0]!.toUpperCase()}${method.slice(1)}`,
    summary: `${method.toUpperCase()} a provider's API as a connection`,
    description:
      "Forwards the method, path, query, headers (minus hop-by-hop ones, `authorization` and `patchbay-*`) and body to the connection's provider, with its credentials added, refreshed when needed, paced by the provider's rate limits and retried on 429/5xx for safe methods. The provider's answer streams back with its status and headers (minus hop-by-hop headers and cookies). Also answers HEAD and OPTIONS.",
    tags: ['Proxy'],
    security: [{ bearerAuth: [] }],
    parameters: [
      {
        name: 'path',
        in: 'path',
        required: true,
        description: "The provider path relative to the integration's API base URL, with its query string.",
        schema: { type: 'string', example: 'v2/sales?page=2' },
      },
      {
        name: 'patchbay-connection-id',
        in: 'header',
        required: true,
        description: 'The connection whose credentials and provider the call uses.',
        schema: { type: 'string', example: 'conn_01jz8x7y6w5v4t3s2r1q0p9n8m' },
      },
    ],
    ...(method === 'get' || method === 'delete'
      ? {}
      : {
          requestBody: {
            required: false,
            description: 'Sent to the provider byte for byte, whatever its content type.',
            content: { '*/*': { schema: {} } },
          },
        }),
    responses: {
      default: {
        description: "The provider's answer: its status, headers and body.",
        content: { '*/*': { schema: {} } },
      },
      ...errorResponses(),
    },
  };
}

/** The `/proxy/{path}` path item for the OpenAPI document. */
export function proxyOpenApiPaths(): Record<string, unknown> {
  return { '/proxy/{path}': Object.fromEntries(METHODS.map((method) => [method, operation(method)])) };
}
