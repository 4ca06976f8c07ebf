import fs from 'node:fs';
import { Client } from 'pg';

/** Ticks per second of /proc/<pid>/stat CPU times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) of processes, in ms, from /proc; processes gone or unreadable count 0. */
export function processCpuMs(pids: Iterable<number>): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the backend exited
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * Postgres backends serving the databases whose names start with `prefix` (a bench's own
 * databases), so their CPU can be told apart from anything else the server runs. Only meaningful
 * when Postgres runs on this machine.
 */
export async function postgresBackendPids(serverUrl: string, prefix: string): Promise<number[]> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname LIKE $1 || '%'`, [prefix]);
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}
