/**
 * Whether the server may fetch a URL someone else gave it. A photo link from outside
 * (an Open311 client's `media_url`, a chat platform's media URL) is fetched by the WeChat
 * adapter to forward it: without this check a link to 169.254.169.254 or 127.0.0.1 would
 * make the server read its own network for whoever posted it (server-side request forgery).
 * Only http(s) on a host whose every address is a public one passes.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Loopback, private, link-local, shared, benchmark, multicast and reserved ranges. */
const NOT_PUBLIC = new BlockList();
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
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address (v4 or v6, an IPv4-mapped v6 read as its v4) is a public one. */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The URL's host, brackets off an IPv6 literal; null when it is not an http(s) URL. */
function httpHost(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return parsed.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * What can be told without asking DNS: an http(s) URL whose host is not an address or name
 * of this machine or a private network. For refusing a bad link when it is given.
 */
export function looksPublicUrl(url: string): boolean {
  const host = httpHost(url);
  if (host === null || host === '' || host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return false;
  return isIP(host) === 0 || isPublicAddress(host);
}

/** Whether the server may fetch `url`: `looksPublicUrl`, and every address its host resolves to is public. */
export async function fetchableUrl(url: string): Promise<boolean> {
  if (!looksPublicUrl(url)) return false;
  const host = httpHost(url)!;
  if (isIP(host) !== 0) return true;
  try {
    const addresses = await lookup(host, { all: true, verbatim: true });
    return addresses.length > 0 && addresses.every((a) => isPublicAddress(a.address));
  } catch {
    return false;
  }
}
