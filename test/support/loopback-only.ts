/**
 * A guard for tests whose generated input could name a host: while it is installed, a socket of
 * this process may only connect to a loopback address. Anything else (an IP literal elsewhere, a
 * name that does not resolve to loopback) is refused before any packet is sent, including the
 * DNS query, and recorded so that the test can fail on it.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction, Socket } from 'node:net';

export interface LoopbackGuard {
  /** Hosts a connection was refused to, in order. */
  readonly refused: string[];
  /** Puts the original `Socket.prototype.connect` back. */
  restore(): void;
}

type ConnectOptions = { host?: string; path?: string; lookup?: LookupFunction };

export function refuseNonLoopbackConnections(): LoopbackGuard {
  const original = Socket.prototype.connect;
  const refused: string[] = [];
  const refuse = (host: string) => {
    refused.push(host);
    return new Error(`refused by the test's loopback guard: ${host} is not a loopback address`);
  };
  Socket.prototype.connect = function connect(this: Socket, ...args: unknown[]) {
    const options = optionsOf(args);
    if (options && options.path === undefined) {
      const host = options.host ?? 'localhost';
      if (isIP(host) !== 0 && !isLoopback(host)) {
        const error = refuse(host);
        queueMicrotask(() => this.destroy(error));
        return this;
      }
      if (isIP(host) === 0) options.lookup = loopbackOnly(options.lookup, refuse);
    }
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof original;
  return {
    refused,
    restore() {
      Socket.prototype.connect = original;
    },
  };
}

/** The options object of a `connect` call, in each of the shapes Node passes it. */
function optionsOf(args: unknown[]): ConnectOptions | undefined {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object') return first as ConnectOptions;
  // connect(port, host) or connect(path): the internal paths normalize to an object first.
  return undefined;
}

/** `lookup`, answering only loopback addresses; names resolve through the system only for localhost. */
function loopbackOnly(lookup: LookupFunction | undefined, refuse: (host: string) => Error): LookupFunction {
  return (hostname, options, callback) => {
    const done = callback as (
      error: Error | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void;
    if (!lookup && hostname !== 'localhost') {
      done(refuse(hostname), '');
      return;
    }
    const resolve = lookup ?? (dnsLookup as unknown as LookupFunction);
    resolve(hostname, options, ((error: Error | null, address: string | LookupAddress[], family?: number) => {
      if (error) return done(error, '');
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const outside = addresses.find((a) => !isLoopback(a));
      if (outside !== undefined) return done(refuse(`${hostname} (${outside})`), '');
      done(null, address, family);
    }) as never);
  };
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
