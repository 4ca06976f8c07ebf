import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { encodeCursor } from '../../src/platform/graphql/pagination';

/**
 * The inbox page of INBOX_PAGE without our stack: hand-written SQL on pg Pools (the same three
 * statements our server runs: page with contact, last message and count, labels, assignees from
 * the control database), JSON built by hand, served by a bare node:http server. No auth, no
 * GraphQL, no ORM: the ceiling for this query on this machine.
 */
export const RAW_STATEMENTS_PER_REQUEST = 3;

const PAGE_SQL = `
  SELECT c.id, c.unread_count, c.assignee_user_id, c.last_message_at::text AS cursor_key,
         (SELECT count(*)::int FROM conversations) AS total_count,
         ct.name AS contact_name, ct.phone AS contact_phone, lm.body AS last_body, lm.created_at AS last_created_at
    FROM conversations c
    JOIN contacts ct ON ct.id = c.contact_id
    LEFT JOIN messages lm ON lm.id = c.last_message_id
   ORDER BY c.last_message_at DESC, c.id DESC
   LIMIT $1`;
const COUNT_SQL = 'SELECT count(*)::int AS n FROM conversations';
const LABELS_SQL = `
  SELECT cl.conversation_id, l.name FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
   WHERE cl.conversation_id = ANY($1) ORDER BY l.name, l.id`;
const ASSIGNEES_SQL = `
  SELECT u.id, u.name FROM users u JOIN memberships m ON m.user_id = u.id AND m.tenant_id = $1 WHERE u.id = ANY($2)`;

export async function startRawInboxServer(options: {
  tenantUrl: string;
  controlUrl: string;
  tenantId: string;
  tenantPoolSize: number;
  controlPoolSize: number;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const tenant = new Pool({ connectionString: options.tenantUrl, max: options.tenantPoolSize });
  const control = new Pool({ connectionString: options.controlUrl, max: options.controlPoolSize });

  const inboxPage = async (first: number) => {
    const page = await tenant.query(PAGE_SQL, [first + 1]);
    const rows = page.rows.slice(0, first);
    const assigneeIds = [...new Set(rows.map((row) => row.assignee_user_id).filter(Boolean))];
    const [labels, users] = await Promise.all([
      tenant.query(LABELS_SQL, [rows.map((row) => row.id)]),
      assigneeIds.length ? control.query(ASSIGNEES_SQL, [options.tenantId, assigneeIds]) : Promise.resolve({ rows: [] }),
    ]);
    const labelsOf = new Map<string, Array<{ name: string }>>();
    for (const label of labels.rows) {
      if (!labelsOf.has(label.conversation_id)) labelsOf.set(label.conversation_id, []);
      labelsOf.get(label.conversation_id)!.push({ name: label.name });
    }
    const userName = new Map<string, string>(users.rows.map((user: { id: string; name: string }) => [user.id, user.name]));
    const edges = rows.map((row) => ({
      node: {
        id: row.id,
        unreadCount: row.unread_count,
        contact: { name: row.contact_name, phone: row.contact_phone },
        lastMessage: row.last_body === null && row.last_created_at === null ? null : { body: row.last_body, createdAt: row.last_created_at.toISOString() },
        labels: labelsOf.get(row.id) ?? [],
        assignee: row.assignee_user_id && userName.has(row.assignee_user_id) ? { name: userName.get(row.assignee_user_id) } : null,
      },
    }));
    const last = rows[rows.length - 1];
    return {
      data: {
        conversations: {
          edges,
          pageInfo: { endCursor: last ? encodeCursor([last.cursor_key, last.id]) : null, hasNextPage: page.rows.length > first },
          totalCount: rows.length ? rows[0].total_count : (await tenant.query(COUNT_SQL)).rows[0].n,
        },
      },
    };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const first = Number(JSON.parse(Buffer.concat(chunks).toString('utf8')).variables?.first ?? 20);
      inboxPage(first).then(
        (body) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (error: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: error.message }] }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([tenant.end(), control.end()]);
    },
  };
}
