/**
 * `/v1/webhook_endpoints`: create (the answer holds the signing `secret`, the only time it is
 * shown; `connect=true` on a platform for its connected accounts' events), retrieve, update
 * (`url`, `enabled_events`, `disabled`, description, metadata), delete, list. At most 16 per
 * account, as in Stripe's test mode.
 */
import { nowSeconds } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import { base62, newId } from '../ids.ts';
import { listPage } from '../list.ts';
import {
  deletedWebhookEndpointJson,
  type WebhookEndpointRecord,
  webhookEndpointJson,
} from '../objects/webhook-endpoint.ts';
import { applyMetadata, type Params } from '../params.ts';
import type { Call, RouteTable } from '../routes.ts';
import { find } from './lookup.ts';

const MAX_ENDPOINTS = 16;

function readUrl(params: Params): string | undefined {
  const url = params.string('url');
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw invalidRequest('Invalid URL: URL must be a valid http or https URL.', {
      code: 'url_invalid',
      param: 'url',
    });
  }
  return url;
}

function readEvents(params: Params): string[] | undefined {
  const events = params.stringList('enabled_events');
  if (events === undefined) return undefined;
  if (events.length === 0) throw parameterMissing('enabled_events');
  for (const [index, type] of events.entries()) {
    if (type !== '*' && !/^[a-z_]+(\.[a-z_]+)+$/.test(type)) {
      throw invalidRequest(`Invalid enabled_events[${index}]: ${type} is not a known event type.`, {
        param: `enabled_events[${index}]`,
      });
    }
  }
  return events;
}

function endpointOf(call: Call): WebhookEndpointRecord {
  return find(call.scope.account.webhookEndpoints, call.path.id as string, 'webhook endpoint');
}

export function webhookEndpointRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/webhook_endpoints', (call) => {
    const { scope, params } = call;
    const url = readUrl(params);
    if (url === undefined) throw parameterMissing('url');
    const enabledEvents = readEvents(params);
    if (enabledEvents === undefined) throw parameterMissing('enabled_events');
    const connect = params.boolean('connect') ?? false;
    const endpoint: WebhookEndpointRecord = {
      id: newId('we'),
      created: nowSeconds(scope),
      seq: scope.account.nextSeq(),
      url,
      enabledEvents,
      description: params.string('description') ?? null,
      metadata: applyMetadata({}, params.metadata()),
      status: 'enabled',
      secret: `whsec_${base62(32)}`,
      connect,
      apiVersion: params.string('api_version') ?? null,
      application: connect ? (scope.core.accounts.platform(scope.account.id)?.clientId ?? null) : null,
    };
    params.done();
    if (connect && scope.account.kind !== 'platform') {
      throw invalidRequest('Only platforms can create Connect webhook endpoints.', { param: 'connect' });
    }
    if (scope.account.webhookEndpoints.size >= MAX_ENDPOINTS) {
      throw invalidRequest(`You have reached the maximum of ${MAX_ENDPOINTS} test webhook endpoints.`);
    }
    scope.account.webhookEndpoints.add(endpoint);
    return webhookEndpointJson(endpoint, scope, true);
  });

  routes.add('GET', '/v1/webhook_endpoints/:id', (call) => {
    call.params.done();
    return webhookEndpointJson(endpointOf(call), call.scope);
  });

  routes.add('POST', '/v1/webhook_endpoints/:id', (call) => {
    const { scope, params } = call;
    const endpoint = endpointOf(call);
    const url = readUrl(params);
    const events = readEvents(params);
    const disabled = params.boolean('disabled');
    const description = params.nullableString('description');
    const metadata = params.metadata();
    params.done();
    if (url !== undefined) endpoint.url = url;
    if (events !== undefined) endpoint.enabledEvents = events;
    if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
    if (description !== undefined) endpoint.description = description;
    endpoint.metadata = applyMetadata(endpoint.metadata, metadata);
    return webhookEndpointJson(endpoint, scope);
  });

  routes.add('DELETE', '/v1/webhook_endpoints/:id', (call) => {
    call.params.done();
    const endpoint = endpointOf(call);
    call.scope.account.webhookEndpoints.remove(endpoint);
    return deletedWebhookEndpointJson(endpoint.id);
  });

  routes.add('GET', '/v1/webhook_endpoints', ({ scope, params }) =>
    listPage(
      scope.account.webhookEndpoints,
      params,
      { url: '/v1/webhook_endpoints', noun: 'webhook endpoint', created: false },
      (e) => webhookEndpointJson(e, scope),
    ),
  );
}
