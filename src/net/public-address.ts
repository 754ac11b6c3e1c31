// Which IP addresses a download from a remote-supplied URL may connect to. A
// link in a task, a mail or a webhook is chosen by someone else; without this
// it could point hireflow at the cloud metadata service, a database on the
// private network or an admin port on localhost (server-side request forgery).
import { isIPv4, isIPv6 } from 'node:net'

type Prefix = readonly [bytes: readonly number[], bits: number]

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number)
}

/** The 16 bytes of a valid IPv6 address (zone id already removed), embedded dotted quad included. */
function ipv6Bytes(address: string): number[] {
  let text = address
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const groups = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : [])
  const [head, tail] = text.split('::')
  const before = groups(head)
  const after = groups(tail)
  const all = [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after]
  return all.flatMap((group) => [group >> 8, group & 0xff])
}

function prefix(cidr: string): Prefix {
  const [address, bits] = cidr.split('/') as [string, string]
  return [isIPv4(address) ? ipv4Bytes(address) : ipv6Bytes(address), Number(bits)]
}

function within(bytes: readonly number[], [start, bits]: Prefix): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const mask = bits - i * 8 >= 8 ? 0xff : (0xff << (8 - (bits - i * 8))) & 0xff
    if ((bytes[i]! & mask) !== (start[i]! & mask)) return false
  }
  return true
}

// IANA special-purpose IPv4 ranges that are not globally reachable unicast.
const IPV4_NOT_PUBLIC = [
  '0.0.0.0/8', // "this network", 0.0.0.0 included
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, where cloud metadata (169.254.169.254) lives
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, 255.255.255.255 included
].map(prefix)

// Ranges that carry an IPv4 address the packets really go to: judge that one.
const IPV4_MAPPED = prefix('::ffff:0:0/96')
const NAT64 = prefix('64:ff9b::/96')
const SIX_TO_FOUR = prefix('2002::/16')

// Public IPv6 unicast is 2000::/3; everything outside it (::, ::1, fc00::/7,
// fe80::/10, fec0::/10, ff00::/8, 100::/64 ...) is refused, and so are these
// special ranges inside it.
const GLOBAL_UNICAST = prefix('2000::/3')
const IPV6_SPECIAL = [
  '2001::/32', // Teredo: tunnels to an address we cannot judge
  '2001:2::/48',
  '2001:10::/28',
  '2001:20::/28',
  '2001:db8::/32',
  '3fff::/20',
].map(prefix)

function ipv4IsPrivate(bytes: readonly number[]): boolean {
  return IPV4_NOT_PUBLIC.some((range) => within(bytes, range))
}

/**
 * True unless `address` is a public unicast IP address: private, loopback,
 * link-local, carrier-grade NAT, unique-local, unspecified, multicast,
 * documentation and reserved ranges are all "private" here, as is an IPv6
 * address that embeds one of them (IPv4-mapped, NAT64, 6to4) and anything
 * that is not an IP address at all.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')
  if (isIPv4(bare)) return ipv4IsPrivate(ipv4Bytes(bare))
  if (!isIPv6(bare)) return true
  const bytes = ipv6Bytes(bare)
  if (within(bytes, IPV4_MAPPED) || within(bytes, NAT64)) return ipv4IsPrivate(bytes.slice(12))
  if (within(bytes, SIX_TO_FOUR)) return ipv4IsPrivate(bytes.slice(2, 6))
  if (!within(bytes, GLOBAL_UNICAST)) return true
  return IPV6_SPECIAL.some((range) => within(bytes, range))
}
