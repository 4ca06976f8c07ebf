import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import proxyAddr from 'proxy-addr';

/** TRUST_PROXY as proxy-addr understands it: false, true (any proxy), a hop count or proxy addresses. */
export type TrustProxy = boolean | number | string[];

/**
 * The client's address for rate limits: the socket's peer, or (TRUST_PROXY) the address that
 * trusted proxies put in X-Forwarded-For. Without TRUST_PROXY the header is ignored, since any
 * client can write it.
 */
export function clientAddressResolver(trust: TrustProxy): (req: IncomingMessage) => string {
  if (trust === false) return (req) => limitKey(req.socket.remoteAddress);
  const trusted =
    trust === true ? () => true : typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : proxyAddr.compile(trust);
  return (req) => (req.socket.remoteAddress ? limitKey(proxyAddr(req, trusted)) : 'unknown');
}

/**
 * One key per client: an IPv4-mapped address is its IPv4 address, and an IPv6 address counts
 * as its /64, since one subscriber usually holds a whole /64 and could rotate through it.
 */
function limitKey(address: string | undefined): string {
  if (!address || !ipaddr.isValid(address)) return 'unknown';
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}
