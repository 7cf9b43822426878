/**
 * Outbound HTTP with the SSRF guard: every host is resolved, and private, loopback, link-local,
 * reserved and cloud-metadata addresses are refused before connecting, unless allowed by the
 * operator (`PATCHBAY_ALLOW_PRIVATE_NETWORKS`-style setting; the sandbox and tests need loopback).
 * The checked address is the one connected to (no DNS rebinding between check and connect).
 */
import type { LookupAddress } from 'node:dns';
import type { Dispatcher } from 'undici';

export type LookupFn = (hostname: string) => Promise<LookupAddress[]>;

export interface OutboundOptions {
  /** Address ranges allowed although private (`loopback`, `private`, or CIDRs like `10.0.0.0/8`). */
  allow?: readonly string[];
  /** Injected DNS resolution (tests stub it to prove refusal before any connection). */
  lookup?: LookupFn;
  /** Sockets kept per provider origin; more concurrent calls queue. Default 64. */
  connectionsPerOrigin?: number;
  /** Connect timeout, ms. */
  connectTimeoutMs?: number;
}

export interface OutboundHttp {
  /** A keep-alive pooled dispatcher whose connections pass the guard. */
  readonly dispatcher: Dispatcher;
  /** `fetch` over that dispatcher (what oauth4webapi's customFetch gets). Redirects are not followed. */
  readonly fetch: typeof fetch;
  close(): Promise<void>;
}
