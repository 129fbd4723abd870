import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may send: http(s) only, and, unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true, never to an
 * address inside the network keyscope runs in (loopback, private, link-local, the cloud metadata
 * address, carrier-grade NAT, unique-local IPv6...). Checked when a webhook is saved and again after
 * DNS resolution at every delivery, so a name that later resolves inside is refused too.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  // Local-use NAT64 (RFC 8215): as the well-known prefix, it reaches IPv4 addresses through a translator.
  ['64:ff9b:1::', 48],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is one a webhook may not reach without WEBHOOK_ALLOW_PRIVATE_TARGETS. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  // IPv4-mapped (::ffff:10.0.0.1) and IPv4-compatible (::10.0.0.1) forms are judged as the IPv4 address they
  // carry, in hex too: the URL parser writes [::127.0.0.1] as [::7f00:1].
  const mapped = /^::(ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return blocked.check(mapped[2]!, 'ipv4');
  const hexMapped = /^::(ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped) {
    const hi = Number.parseInt(hexMapped[2]!, 16);
    const lo = Number.parseInt(hexMapped[3]!, 16);
    return blocked.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
  }
  return blocked.check(address, 'ipv6');
}

/** Why a URL cannot be a webhook's target (before any DNS), or null when its form is fine. */
export function urlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not carry a fragment';
  return null;
}

/**
 * The addresses a target's host resolves to, or why it may not be reached. With `allowPrivate`, any
 * address is fine (tests, and deployments whose receivers are inside).
 */
export async function targetProblem(value: string, allowPrivate: boolean): Promise<string | null> {
  const form = urlProblem(value);
  if (form) return form;
  if (allowPrivate) return null;
  const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (error) {
      return `host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})`;
    }
  }
  const inside = addresses.find(isPrivateAddress);
  if (inside)
    return `resolves to ${inside}, a private, loopback, link-local or metadata address (WEBHOOK_ALLOW_PRIVATE_TARGETS=true allows it)`;
  return null;
}
