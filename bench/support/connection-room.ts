import { Client } from 'pg';

/**
 * Connections a bench may open on a PostgreSQL server: max_connections less the superuser
 * reserve, the connections already open (other benches, tests, the machine's own users) and some
 * headroom. A fresh machine's server allows 100, which a bench sized for a roomier one exceeds
 * ("sorry, too many clients already"); benches size their pools and instances to this instead.
 */
export async function connectionRoom(serverUrl: string, headroom = 10): Promise<{ maxConnections: number; room: number }> {
  const client = new Client({ connectionString: serverUrl, application_name: 'bench-sizing' });
  await client.connect();
  try {
    const { rows } = await client.query<{ max: number; reserved: number; used: number }>(
      `SELECT current_setting('max_connections')::int AS max,
              current_setting('superuser_reserved_connections')::int AS reserved,
              (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS used`,
    );
    const { max, reserved, used } = rows[0];
    return { maxConnections: max, room: max - reserved - used - headroom };
  } finally {
    await client.end();
  }
}

/** Fails at once, saying what to change, when a bench cannot fit even at its smallest. */
export function assertRoom(bench: string, room: number, needed: number, maxConnections: number): void {
  if (room < needed) {
    throw new Error(
      `${bench} needs at least ${needed} PostgreSQL connections but the server (max_connections ${maxConnections}) has room for ${room}: ` +
        'raise max_connections, close other clients, or unset DATABASE_URL to use the embedded PostgreSQL',
    );
  }
}
