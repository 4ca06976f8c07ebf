#!/usr/bin/env node
// Prints every message that reaches your tenant's inbox, over graphql-ws.
// Usage: TOKEN=<token from signUp/login> node scripts/watch-inbox.js [http://localhost:4000]
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

const base = process.argv[2] ?? 'http://localhost:4000';
if (!process.env.TOKEN) {
  console.error('Set TOKEN to a token from signUp or login');
  process.exit(1);
}
const client = createClient({
  url: `${base.replace(/^http/, 'ws')}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${process.env.TOKEN}` },
});
client.subscribe(
  { query: 'subscription { messageReceived { id direction body fromAddress createdAt conversation { id unreadCount contact { name phone } } } }' },
  {
    next: (result) => console.log(JSON.stringify(result, null, 2)),
    error: (error) => {
      console.error('subscription failed:', error);
      process.exit(1);
    },
    complete: () => process.exit(0),
  },
);
console.error(`watching ${base}/graphql for new messages (Ctrl+C to stop)`);
