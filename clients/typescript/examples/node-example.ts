/**
 * The typed client from Node: a typed query, then a subscription. Run after `npm run build`:
 *
 *   CRM_TOKEN=<a JWT or API key> node dist/clients/typescript/examples/node-example.js
 *
 * CRM_URL defaults to http://localhost:4000/graphql. With `--simulate` and a SANDBOX channel, it
 * also plays a customer and exits once the subscription has delivered that message (exit code 0).
 */
import WebSocket from 'ws';
import {
  ConversationsDocument,
  createCrmClient,
  CrmError,
  InboxSetupDocument,
  MessageReceivedDocument,
  SimulateInboundMessageDocument,
  type MessageFieldsFragment,
} from '../src';

async function main(): Promise<void> {
  const token = process.env.CRM_TOKEN;
  if (!token) throw new Error('Set CRM_TOKEN to a token from login/signUp or an API key');
  const client = createCrmClient({
    url: process.env.CRM_URL ?? 'http://localhost:4000/graphql',
    token,
    webSocketImpl: WebSocket, // Node 20 has no global WebSocket
    onConnectionChange: (state) => console.error(`[websocket ${state}]`),
  });

  // A typed query: `conversations` and its fields are typed from schema.graphql.
  const { conversations } = await client.query(ConversationsDocument, { first: 10, filter: { status: 'OPEN' } });
  console.log(`${conversations.totalCount} open conversations`);
  for (const { node } of conversations.edges) {
    console.log(`- ${node.contact.name}: ${node.lastMessage?.body ?? ''} (${node.unreadCount} unread)`);
  }

  // A typed subscription: every inbound message of the tenant as it arrives.
  const simulate = process.argv.includes('--simulate');
  const received = new Promise<MessageFieldsFragment>((resolve, reject) => {
    const stop = client.subscribe(
      MessageReceivedDocument,
      {},
      ({ messageReceived }) => {
        console.log(`${messageReceived.fromAddress} wrote: ${messageReceived.body ?? `[${messageReceived.type}]`}`);
        if (simulate) {
          stop();
          resolve(messageReceived);
        }
      },
      (error) => reject(error),
    );
  });

  if (simulate) {
    const { whatsappSessions } = await client.query(InboxSetupDocument, {});
    const sandbox = whatsappSessions.find((session) => session.provider === 'SANDBOX');
    if (!sandbox) throw new Error('--simulate needs a SANDBOX channel (connectWhatsApp with provider: SANDBOX)');
    // Give the subscription a moment to be registered before the customer writes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await client.mutate(SimulateInboundMessageDocument, {
      input: { sessionId: sandbox.id, from: '+44 7911 123456', fromName: 'Alice', body: 'Hello from the Node example' },
    });
    await received;
    await client.close();
  } else {
    console.error('Waiting for inbound messages (Ctrl+C to stop)...');
  }
}

main().catch((error: unknown) => {
  const crm = CrmError.from(error);
  console.error(`Failed: ${crm.message}${crm.code ? ` (${crm.code})` : ''}`);
  process.exit(1);
});
