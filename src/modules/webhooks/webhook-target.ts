import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** Only public unicast addresses are targets unless private ones are allowed (development, tests). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

export class BlockedTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockedTargetError';
  }
}

/**
 * What is wrong with a webhook URL as written (null: nothing): http(s) only, no credentials, and
 * (unless private targets are allowed) no host that is or resolves to a private, loopback or
 * link-local address. The check is repeated on every connection (see postWebhook).
 */
export async function webhookUrlProblem(raw: string, allowPrivate: boolean): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute http or https URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url must use https (or http)';
  if (url.username || url.password) return 'url must not carry credentials';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return isPublicAddress(host) ? null : 'url must not point at a private, loopback or link-local address';
  try {
    const addresses = await dns.promises.lookup(host, { all: true });
    if (addresses.some((entry) => !isPublicAddress(entry.address))) return 'url resolves to a private, loopback or link-local address';
  } catch {
    return 'url host does not resolve';
  }
  return null;
}

/** dns.lookup that refuses non-public addresses: the address checked is the one connected to (no rebinding). */
const publicOnlyLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return (callback as (e: NodeJS.ErrnoException) => void)(error);
    const list = addresses as dns.LookupAddress[];
    const blocked = list.find((entry) => !isPublicAddress(entry.address));
    if (blocked) return (callback as (e: Error) => void)(new BlockedTargetError(`${hostname} resolves to a non-public address`));
    if ((options as dns.LookupOptions).all) return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    (callback as (e: null, a: string, f: number) => void)(null, list[0].address, list[0].family);
  });
};

export interface WebhookResponse {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * One POST, never following redirects (a 3xx is a failure), answered within `timeoutMs` or
 * abandoned. Only 2xx counts as delivered. The response body is read (up to 4 KiB) and dropped.
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<WebhookResponse> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  return new Promise<WebhookResponse>((resolve) => {
    let settled = false;
    const finish = (result: Omit<WebhookResponse, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: latency() });
    };
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return finish({ statusCode: null, error: 'invalid url' });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivate && net.isIP(host) && !isPublicAddress(host)) {
      return finish({ statusCode: null, error: 'blocked: the address is private, loopback or link-local' });
    }
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'whatsapp-crm-webhooks/1' },
      ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup }),
      agent: false,
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish({ statusCode: null, error: `no answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    request.on('error', (error) =>
      finish({ statusCode: null, error: error instanceof BlockedTargetError ? `blocked: ${error.message}` : error.message.slice(0, 300) }),
    );
    request.on('response', (response) => {
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > 4096) response.destroy();
      });
      const done = () => {
        const status = response.statusCode ?? null;
        const ok = status !== null && status >= 200 && status < 300;
        finish({ statusCode: status, error: ok ? null : status !== null && status >= 300 && status < 400 ? 'redirects are not followed' : `HTTP ${status}` });
      };
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
    request.end(body);
  });
}
