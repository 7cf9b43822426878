/**
 * Which IP addresses outbound requests may reach. Only global unicast addresses pass by default;
 * loopback, private, link-local (cloud metadata at 169.254.169.254 included), carrier-grade NAT,
 * unspecified, multicast, broadcast, documentation/reserved ranges and IPv6 forms that embed an
 * IPv4 address (mapped, NAT64, 6to4, Teredo) are refused. An IPv4-mapped IPv6 address is judged
 * as the IPv4 address it carries, so `::ffff:127.0.0.1` is loopback.
 *
 * The operator widens the policy with `allow` entries: `loopback` (127.0.0.0/8, ::1), `private`
 * (10/8, 172.16/12, 192.168/16, fc00::/7) or a CIDR (`10.20.0.0/16`, `fd00::/8`). Link-local
 * and everything else can only be allowed by an explicit CIDR.
 */
import ipaddr from 'ipaddr.js';
import { PatchbayError } from '../errors/index.ts';

type Address = ReturnType<typeof ipaddr.parse>;

/** The verdict on one address: `range` names the class it falls in (`unicast` when global). */
export interface AddressVerdict {
  allowed: boolean;
  range: string;
}

export type AddressPolicy = (address: string) => AddressVerdict;

const NAMED_ALLOWANCES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['loopback'],
  private: ['private', 'uniqueLocal'],
};

/**
 * Builds the policy for `allow` (see the module comment). Throws `config_invalid` for an entry
 * that is neither a known name nor a valid CIDR, so a typo cannot silently allow nothing.
 */
export function createAddressPolicy(allow: readonly string[] = []): AddressPolicy {
  const ranges = new Set<string>();
  const cidrs: Array<[Address, number]> = [];
  for (const entry of allow) {
    const named = NAMED_ALLOWANCES[entry];
    if (named) {
      for (const range of named) ranges.add(range);
    } else if (ipaddr.isValidCIDR(entry)) {
      cidrs.push(ipaddr.parseCIDR(entry));
    } else {
      throw new PatchbayError(
        'config_invalid',
        `"${entry}" is not an allowed-network entry; use loopback, private or a CIDR such as 10.0.0.0/8`,
        { details: { entry } },
      );
    }
  }
  return (text) => {
    const address = parseAddress(text);
    if (!address) return { allowed: false, range: 'invalid' };
    const range = address.range();
    if (range === 'unicast' || ranges.has(range)) return { allowed: true, range };
    const allowed = cidrs.some(
      ([network, bits]) => network.kind() === address.kind() && address.match(network, bits),
    );
    return { allowed, range };
  };
}

/** Parses an address, unwrapping IPv4-mapped IPv6 and dropping an IPv6 zone; null if invalid. */
function parseAddress(text: string): Address | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return null;
  // ipaddr also accepts shorthand IPv4 (`127.1`, octal, hex): only the four-part decimal form a
  // resolver or URL parser produces is taken, anything else is refused as invalid.
  if (ipaddr.IPv4.isValid(bare) && !ipaddr.IPv4.isValidFourPartDecimal(bare)) return null;
  const address = ipaddr.parse(bare);
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  }
  return address;
}
