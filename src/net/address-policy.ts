/**
 * Which IP addresses outbound requests may reach. Only global unicast addresses pass by default;
 * loopback, private, link-local (cloud metadata at 169.254.169.254 included), carrier-grade NAT,
 * unspecified, multicast, broadcast and documentation/reserved ranges are refused.
 *
 * An IPv6 address that carries an IPv4 address (IPv4-mapped, IPv4-compatible, IPv4-translated,
 * NAT64, 6to4, Teredo: see EMBEDDINGS) is judged as the IPv4 addresses it carries, every one of
 * them: `::ffff:127.0.0.1`, `::7f00:1`, `64:ff9b::a9fe:a9fe` and `2002:a00:1::` are loopback,
 * loopback, link-local and private, while `64:ff9b::808:808` is as public as 8.8.8.8.
 *
 * The operator widens the policy with `allow` entries: `loopback` (127.0.0.0/8, ::1), `private`
 * (10/8, 172.16/12, 192.168/16, fc00::/7) or a CIDR (`10.20.0.0/16`, `fd00::/8`). Link-local
 * and everything else can only be allowed by an explicit CIDR. An IPv6 CIDR never opens an
 * address that carries an IPv4 one: allow the IPv4 range it carries instead.
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
  /** The verdict on a native address: its own range, then the operator's allowances. */
  const judge = (address: Address): AddressVerdict => {
    const range = address.range();
    if (range === 'unicast' || ranges.has(range)) return { allowed: true, range };
    const allowed = cidrs.some(
      ([network, bits]) => network.kind() === address.kind() && address.match(network, bits),
    );
    return { allowed, range };
  };
  return (text) => {
    const address = parseAddress(text);
    if (!address) return { allowed: false, range: 'invalid' };
    const carried = carriedIPv4(address);
    if (!carried) return judge(address);
    // Reaching it reaches the IPv4 addresses it carries: it passes only if every one of them does.
    const verdicts = carried.map(judge);
    return verdicts.find((verdict) => !verdict.allowed) ?? verdicts[0]!;
  };
}

/** Where an embedded IPv4 address sits: its four bytes' offsets, and a mask XORed over each. */
interface Carried {
  bytes: readonly [number, number, number, number];
  xor?: number;
}

/** An IPv6 prefix whose addresses carry IPv4 addresses. */
interface Embedding {
  name: string;
  prefix: string;
  /** Addresses of the prefix that are not carriers (`::` and `::1` in `::/96`). */
  except?: string;
  carried: readonly Carried[];
}

const LAST_32_BITS: Carried = { bytes: [12, 13, 14, 15] };

/**
 * Every IPv6 form that embeds an IPv4 address. A new form is a new row. The prefixes do not
 * overlap, so the order does not matter.
 */
export const EMBEDDINGS: readonly Embedding[] = [
  // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d, what dual-stack sockets show IPv4 peers as.
  { name: 'ipv4Mapped', prefix: '::ffff:0:0/96', carried: [LAST_32_BITS] },
  // RFC 4291 §2.5.5.1: ::a.b.c.d, deprecated but still routed to the IPv4 address by some stacks.
  { name: 'ipv4Compatible', prefix: '::/96', except: '::/127', carried: [LAST_32_BITS] },
  // RFC 2765 (SIIT): ::ffff:0:a.b.c.d.
  { name: 'ipv4Translated', prefix: '::ffff:0:0:0/96', carried: [LAST_32_BITS] },
  // RFC 6052: the NAT64 well-known prefix, the IPv4 address in the last 32 bits.
  { name: 'nat64', prefix: '64:ff9b::/96', carried: [LAST_32_BITS] },
  // RFC 8215: local-use NAT64 prefixes of any RFC 6052 length inside 64:ff9b:1::/48; the IPv4
  // address sits where a /48, /56, /64 or /96 prefix puts it (skipping the reserved byte 8), and
  // every one of those readings must pass.
  {
    name: 'nat64Local',
    prefix: '64:ff9b:1::/48',
    carried: [{ bytes: [6, 7, 9, 10] }, { bytes: [7, 9, 10, 11] }, { bytes: [9, 10, 11, 12] }, LAST_32_BITS],
  },
  // RFC 3056: 2002:AABB:CCDD::/48 is the 6to4 site of A.B.C.D.
  { name: '6to4', prefix: '2002::/16', carried: [{ bytes: [2, 3, 4, 5] }] },
  // RFC 4380: 2001:0:<server IPv4>:<flags>:<port>:<client IPv4>, the client's address and port
  // obfuscated (every bit inverted).
  {
    name: 'teredo',
    prefix: '2001::/32',
    carried: [{ bytes: [4, 5, 6, 7] }, { bytes: [12, 13, 14, 15], xor: 0xff }],
  },
];

const PREFIXES = EMBEDDINGS.map((embedding) => ({
  embedding,
  prefix: ipaddr.IPv6.parseCIDR(embedding.prefix),
  except: embedding.except === undefined ? undefined : ipaddr.IPv6.parseCIDR(embedding.except),
}));

/** The IPv4 addresses an IPv6 address carries, or undefined when it carries none. */
export function carriedIPv4(address: Address): ipaddr.IPv4[] | undefined {
  if (address.kind() !== 'ipv6') return undefined;
  const v6 = address as ipaddr.IPv6;
  const match = PREFIXES.find(
    ({ prefix, except }) => v6.match(prefix) && !(except !== undefined && v6.match(except)),
  );
  if (!match) return undefined;
  const bytes = v6.toByteArray();
  return match.embedding.carried.map(
    (where) => new ipaddr.IPv4(where.bytes.map((offset) => bytes[offset]! ^ (where.xor ?? 0))),
  );
}

/** Parses an address, dropping an IPv6 zone; null if invalid. */
function parseAddress(text: string): Address | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return null;
  // ipaddr also accepts shorthand IPv4 (`127.1`, octal, hex): only the four-part decimal form a
  // resolver or URL parser produces is taken, anything else is refused as invalid.
  if (ipaddr.IPv4.isValid(bare) && !ipaddr.IPv4.isValidFourPartDecimal(bare)) return null;
  return ipaddr.parse(bare);
}
