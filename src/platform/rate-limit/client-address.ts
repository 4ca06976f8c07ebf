import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/** TRUST_PROXY as proxy-addr understands it: false, true (any proxy), a hop count or proxy addresses. */
export type TrustProxy = boolean | number | string[];

/**
 * The client's address for rate limits: the socket's peer, or (TRUST_PROXY) the address that
 * trusted proxies put in X-Forwarded-For. Without TRUST_PROXY the header is ignored, since any
 * client can write it.
 */
export function clientAddressResolver(trust: TrustProxy): (req: IncomingMessage) => string {
  const fromSocket = (req: IncomingMessage) => normalize(req.socket.remoteAddress ?? 'unknown');
  if (trust === false) return fromSocket;
  const trusted =
    trust === true ? () => true : typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : proxyAddr.compile(trust);
  return (req) => (req.socket.remoteAddress ? normalize(proxyAddr(req, trusted)) : 'unknown');
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
const normalize = (address: string) => (address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address);
