/**
 * Outbound HTTP with the SSRF guard: the only way the engine reaches a provider's network.
 */
export { type AddressPolicy, type AddressVerdict, createAddressPolicy } from './address-policy.ts';
export { createOutboundHttp } from './outbound.ts';
export type { LookupFn, OutboundHttp, OutboundOptions } from './types.ts';
