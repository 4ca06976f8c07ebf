import { Client } from 'pg';
import type { Logger } from '../logger';
import type { ConnectionBudget } from './connection-budget';
import type { DatabaseServers } from './database-servers';

interface IdleClient {
  client: Client;
  timer: NodeJS.Timeout;
}

/**
 * Connections for provisioning (CREATE DATABASE, CREATE SCHEMA) to a server's databases. A new
 * connection costs a process fork and an authentication handshake, often as long as the clone
 * itself, so a few are kept idle briefly between provisionings. Every open connection holds one
 * slot of the connection budget until it is closed. Keyed by URL: a server row that moved gets
 * fresh connections.
 */
export class AdminConnections {
  private readonly idle = new Map<string, IdleClient[]>();
  private readonly open = new Set<Client>();
  private closed = false;

  constructor(
    private readonly servers: DatabaseServers,
    private readonly budget: ConnectionBudget,
    private readonly log: Logger,
    private readonly options: {
      maxIdlePerDatabase: number;
      idleTimeoutMs: number;
      /** Frees budget held elsewhere (idle tenant pools) when none is left. */
      makeRoom?: (needed: number) => Promise<void>;
    } = { maxIdlePerDatabase: 2, idleTimeoutMs: 1_000 },
  ) {}

  /** Runs `work` on a connection to `database` on the given server. */
  async with<T>(serverId: string, database: string, work: (client: Client) => Promise<T>): Promise<T> {
    const server = await this.servers.get(serverId);
    const url = this.servers.urlFor(server, database);
    const client = this.takeIdle(url) ?? (await this.connect(url));
    let reusable = false;
    try {
      const result = await work(client);
      reusable = true;
      return result;
    } finally {
      // After an error the session's state is unknown (an open transaction, a dead socket): close it.
      if (reusable) this.putIdle(url, client);
      else this.discard(client);
    }
  }

  get openConnections(): number {
    return this.open.size;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const clients = [...this.idle.values()].flat();
    this.idle.clear();
    for (const { timer } of clients) clearTimeout(timer);
    await Promise.all(clients.map(({ client }) => this.discard(client)));
  }

  private takeIdle(url: string): Client | null {
    const entry = this.idle.get(url)?.pop();
    if (!entry) return null;
    clearTimeout(entry.timer);
    return entry.client;
  }

  private putIdle(url: string, client: Client): void {
    const list = this.idle.get(url) ?? [];
    if (this.closed || list.length >= this.options.maxIdlePerDatabase) {
      void this.discard(client);
      return;
    }
    const entry: IdleClient = {
      client,
      timer: setTimeout(() => {
        const current = this.idle.get(url);
        const index = current?.indexOf(entry) ?? -1;
        if (index >= 0) current!.splice(index, 1);
        if (current?.length === 0) this.idle.delete(url);
        void this.discard(client);
      }, this.options.idleTimeoutMs),
    };
    entry.timer.unref();
    list.push(entry);
    this.idle.set(url, list);
  }

  private async connect(url: string): Promise<Client> {
    await this.budget.reserve(1, this.options.makeRoom ?? (async () => undefined));
    const client = new Client({ connectionString: url, application_name: 'crm-provisioner' });
    this.open.add(client);
    // An idle connection the server closed must not crash the process; it is dropped instead.
    client.on('error', (error) => {
      this.log.warn({ err: error }, 'provisioning connection failed');
      for (const [key, list] of this.idle) {
        const index = list.findIndex((entry) => entry.client === client);
        if (index >= 0) {
          clearTimeout(list[index].timer);
          list.splice(index, 1);
          if (list.length === 0) this.idle.delete(key);
        }
      }
      void this.discard(client);
    });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await this.discard(client);
      throw error;
    }
  }

  /** Closes a connection and returns its budget slot, once. */
  private async discard(client: Client): Promise<void> {
    if (!this.open.delete(client)) return;
    try {
      await client.end();
    } catch {
      // already closed
    } finally {
      this.budget.release(1);
    }
  }
}
