// The baseline of bench:realtime: a bare `ws` server that speaks just enough graphql-ws
// (connection_init → connection_ack, subscribe) to serve the bench's subscriber fleet, and sends
// a given result to every subscriber of a tenant. No auth check, GraphQL, broker or per-event
// work: what is left is what any WebSocket server pays to deliver the same bytes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export class BareWsServer {
  /** Subscribed sockets by tenant, with the id of their subscription. */
  private readonly byTenant = new Map<string, Array<{ socket: WebSocket; id: string }>>();

  private constructor(
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  /** `tenantOf` maps the bearer token a subscriber sends in connectionParams to its tenant. */
  static async start(tenantOf: (token: string) => string | undefined): Promise<BareWsServer> {
    const server = http.createServer();
    const wss = new WebSocketServer({ server, path: '/graphql' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const bare = new BareWsServer(server, wss, `ws://127.0.0.1:${port}/graphql`);
    wss.on('connection', (socket) => {
      let tenantId: string | undefined;
      socket.on('message', (raw) => {
        const message = JSON.parse(raw.toString()) as { type: string; id?: string; payload?: { authorization?: string } };
        if (message.type === 'connection_init') {
          tenantId = tenantOf(String(message.payload?.authorization ?? '').replace(/^Bearer /, ''));
          if (!tenantId) return socket.close(4401, 'Unauthorized');
          socket.send('{"type":"connection_ack"}');
        } else if (message.type === 'subscribe' && tenantId && message.id) {
          let sockets = bare.byTenant.get(tenantId);
          if (!sockets) bare.byTenant.set(tenantId, (sockets = []));
          sockets.push({ socket, id: message.id });
        } else if (message.type === 'ping') {
          socket.send('{"type":"pong"}');
        }
      });
      socket.on('close', () => {
        if (!tenantId) return;
        const sockets = bare.byTenant.get(tenantId);
        if (sockets) bare.byTenant.set(tenantId, sockets.filter((s) => s.socket !== socket));
      });
    });
    return bare;
  }

  get subscriberCount(): number {
    let count = 0;
    for (const sockets of this.byTenant.values()) count += sockets.length;
    return count;
  }

  /** Sends `{ data }` as a graphql-ws `next` message to every subscriber of the tenant (serialized once). */
  publish(tenantId: string, data: unknown): void {
    const payload = JSON.stringify({ data });
    for (const { socket, id } of this.byTenant.get(tenantId) ?? []) {
      if (socket.readyState === socket.OPEN) socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
    }
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
    await new Promise((resolve) => this.server.close(resolve));
  }
}
