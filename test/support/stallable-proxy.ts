import net from 'node:net';

/**
 * A TCP proxy to a real server (Redis, say) that a test can stall: while stalled it accepts and
 * buffers but forwards nothing, like a broker that stopped answering.
 */
export class StallableProxy {
  private stalled = false;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server, readonly port: number) {}

  static async start(target: { host: string; port: number }): Promise<StallableProxy> {
    let proxy!: StallableProxy;
    const server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => proxy.sockets.delete(socket));
      }
      const forward = (from: net.Socket, to: net.Socket) =>
        from.on('data', (chunk) => {
          if (!proxy.stalled) to.write(chunk);
        });
      forward(client, upstream);
      forward(upstream, client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new StallableProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  /** From now on nothing goes through (what is sent meanwhile is lost, as on a dead link). */
  stall(): void {
    this.stalled = true;
  }

  /** Cuts every open connection (as a network blip would); new ones go through as before. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
