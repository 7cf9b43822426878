/**
 * The provider call of `provider_api` webhook definitions (src/inbound/verify/schemes/
 * provider-api.ts): one connection's request through the proxy, so its credentials, refresh,
 * rate limits and request log apply as to any other call. The scheme reads the verdict; this
 * only carries the request and hands back the status and body text.
 */
import type { ProviderApiAnswer, ProviderApiRequest } from '../inbound/types.ts';
import type { ProxyClient } from '../proxy/index.ts';

export function providerRequestVia(
  proxy: ProxyClient,
  environmentId: string,
  connectionId: string,
): (request: ProviderApiRequest) => Promise<ProviderApiAnswer> {
  return async (request) => {
    const response = await proxy.request(environmentId, connectionId, {
      method: request.method,
      path: request.path,
      ...(request.body === undefined ? {} : { body: { json: request.body } }),
      // A check that changes nothing at the provider: safe to retry.
      maxAttempts: 3,
    });
    if (response.status < 200 || response.status > 299) {
      // The status is all the scheme needs to answer "retry later"; the body is not read.
      await response.body.cancel();
      return { status: response.status, text: '' };
    }
    return { status: response.status, text: await response.text() };
  };
}
