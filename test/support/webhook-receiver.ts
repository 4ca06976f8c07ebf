import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the signature verified with the receiver's secret (standardwebhooks). */
  verified: boolean;
  json: { type: string; timestamp: string; data: Record<string, unknown> } | null;
  answered: number;
}

/**
 * A partner's webhook receiver on 127.0.0.1: verifies every request with the `standardwebhooks`
 * package (as a partner would) and answers what `respond` says (200 when it returns nothing).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  secret: string | null = null;
  respond: (request: ReceivedWebhook, response: ServerResponse) => number | 'hang' | undefined = () => undefined;
  private server: Server | null = null;
  private readonly open = new Set<ServerResponse>();
  url = '';

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      if (receiver.secret) {
        try {
          new Webhook(receiver.secret).verify(body, {
            'webhook-id': String(req.headers['webhook-id']),
            'webhook-timestamp': String(req.headers['webhook-timestamp']),
            'webhook-signature': String(req.headers['webhook-signature']),
          });
          verified = true;
        } catch {
          verified = false;
        }
      }
      let json: ReceivedWebhook['json'] = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const request: ReceivedWebhook = { path: req.url ?? '/', headers: req.headers, body, verified, json, answered: 0 };
      receiver.received.push(request);
      const status = receiver.respond(request, res) ?? (verified ? 200 : 401);
      if (status === 'hang') {
        receiver.open.add(res);
        return;
      }
      request.answered = status;
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    receiver.server = server;
    receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return receiver;
  }

  async close(): Promise<void> {
    for (const response of this.open) response.destroy();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
