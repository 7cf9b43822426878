/**
 * Outbound HTTP for everything that calls a provider (the proxy, OAuth token and revoke calls):
 * one undici Agent with keep-alive pools whose connector passes the SSRF guard.
 *
 * The guard sits in the connector, where the socket is made: a literal IP host is checked before
 * `net.connect`, a name is resolved through the injected lookup and every address it resolves to
 * is checked before Node may connect. The addresses handed to Node are the ones checked, so a
 * DNS answer that changes between check and connect (rebinding) cannot slip through.
 */
import type { LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import { type AddressPolicy, createAddressPolicy } from './address-policy.ts';
import type { LookupFn, OutboundHttp, OutboundOptions } from './types.ts';

const ALLOW_HINT =
  'Outbound requests may not reach private, loopback or link-local addresses; an operator who needs this ' +
  '(a local sandbox, an internal provider) can set PATCHBAY_ALLOW_PRIVATE_NETWORKS (e.g. "loopback" or a CIDR).';

const defaultLookup: LookupFn = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * Creates the guarded outbound HTTP client. Throws `config_invalid` for an `allow` entry that is
 * not `loopback`, `private` or a CIDR.
 */
export function createOutboundHttp(options: OutboundOptions = {}): OutboundHttp {
  const policy = createAddressPolicy(options.allow);
  const lookup = options.lookup ?? defaultLookup;
  const connectTimeout = options.connectTimeoutMs ?? 10_000;
  const baseConnect = buildConnector({ timeout: connectTimeout, lookup: guardedLookup(policy, lookup) });
  const connect: buildConnector.connector = (connectOptions, callback) => {
    const { hostname } = connectOptions;
    if (isIP(hostname) !== 0) {
      const verdict = policy(hostname);
      if (!verdict.allowed) {
        // Refused before any socket exists.
        queueMicrotask(() => callback(refusal(hostname, verdict.range), null));
        return;
      }
    }
    return baseConnect(connectOptions, callback);
  };
  // A bounded pool per provider origin: a burst of calls queues on kept-alive sockets instead of
  // opening hundreds of connections (which providers' connection limits and listen backlogs punish).
  const dispatcher = new Agent({
    connect,
    connections: options.connectionsPerOrigin ?? 64,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
  });

  const guardedFetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    try {
      return await undiciFetch(
        input as Parameters<typeof undiciFetch>[0],
        {
          ...(init as Parameters<typeof undiciFetch>[1]),
          dispatcher,
          redirect: 'manual',
        } as Parameters<typeof undiciFetch>[1],
      );
    } catch (error) {
      // fetch wraps connector errors in "TypeError: fetch failed"; the refusal is the answer.
      const cause = (error as { cause?: unknown }).cause;
      if (isPatchbayError(cause, 'ssrf_blocked')) throw cause;
      throw error;
    }
  }) as unknown as typeof fetch;

  return {
    dispatcher,
    fetch: guardedFetch,
    close: () => dispatcher.close(),
  };
}

/** The `lookup` given to net/tls.connect: resolve, check every address, hand back only checked ones. */
function guardedLookup(policy: AddressPolicy, lookup: LookupFn): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    const done = callback as (
      error: Error | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void;
    resolveChecked(policy, lookup, hostname, lookupOptions.family).then(
      (addresses) => {
        if (lookupOptions.all) done(null, addresses);
        else done(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: unknown) => done(error as Error, ''),
    );
  };
}

async function resolveChecked(
  policy: AddressPolicy,
  lookup: LookupFn,
  hostname: string,
  family: number | string | undefined,
): Promise<LookupAddress[]> {
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(hostname);
  } catch (cause) {
    throw new PatchbayError('provider_unreachable', `Cannot resolve ${hostname}`, {
      details: { host: hostname, reason: 'dns' },
      cause,
    });
  }
  // One refused address refuses the host: a name that mixes public and private answers is a
  // rebinding attempt or a misconfiguration, and either way must not be reached.
  for (const entry of addresses) {
    const verdict = policy(entry.address);
    if (!verdict.allowed) throw refusal(hostname, null);
  }
  const wanted = family === 4 || family === 'IPv4' ? 4 : family === 6 || family === 'IPv6' ? 6 : 0;
  const usable = wanted === 0 ? addresses : addresses.filter((entry) => entry.family === wanted);
  if (usable.length === 0) {
    throw new PatchbayError('provider_unreachable', `${hostname} has no address`, {
      details: { host: hostname, reason: 'dns' },
    });
  }
  return usable;
}

/**
 * The refusal the caller sees. For a name it says that the name was refused, never what it
 * resolved to (nor the kind of address): an API caller could otherwise map internal names through
 * provider URLs or endpoints. A literal address is the caller's own, so its range is named.
 */
function refusal(host: string, range: string | null): PatchbayError {
  const why =
    range === null ? 'it resolves to an address outbound requests may not reach' : `it is a ${range} address`;
  return new PatchbayError('ssrf_blocked', `Refused to connect to ${host}: ${why}. ${ALLOW_HINT}`, {
    details: range === null ? { host } : { host, range },
  });
}
