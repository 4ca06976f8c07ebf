import crypto from 'node:crypto';
import type { Client as WsClient } from 'graphql-ws';
import type { TestApp } from './test-app';
import { messageReceivedEvent, type MessageSnapshotSource } from '../../src/modules/inbox/inbox-events';
import { MessageDirection, MessageStatus, MessageType } from '../../src/modules/inbox/message.entity';
import type { TenantEvent } from '../../src/platform/realtime/tenant-events';

export interface ReceivedError {
  message: string;
  extensions?: { code?: string };
}

/** One graphql-ws subscription whose results, errors and completion a test can wait for. */
export class LiveSubscription<T = any> {
  readonly data: T[] = [];
  readonly errors: ReceivedError[] = [];
  /** A CloseEvent-like object when the socket closed the operation. */
  closedWith: { code: number; reason: string } | null = null;
  completed = false;
  private readonly stop: () => void;

  constructor(client: WsClient, query: string, variables?: Record<string, unknown>) {
    this.stop = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.data) this.data.push(result.data as T);
          if (result.errors) this.errors.push(...(result.errors as ReceivedError[]));
        },
        error: (error) => {
          if (Array.isArray(error)) this.errors.push(...(error as ReceivedError[]));
          else if (error && typeof error === 'object' && 'code' in error) {
            const close = error as { code: number; reason: string };
            this.closedWith = { code: close.code, reason: close.reason };
          } else this.errors.push({ message: String(error) });
          this.completed = true;
        },
        complete: () => {
          this.completed = true;
        },
      },
    );
  }

  dispose(): void {
    this.stop();
  }

  /** Waits until `predicate` holds for the received data (or errors), failing after `timeoutMs`. */
  async waitFor(predicate: (self: this) => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    await waitUntil(() => predicate(this), `${what} (got ${this.data.length} results, errors ${JSON.stringify(this.errors)}, closed ${JSON.stringify(this.closedWith)})`, timeoutMs);
  }
}

export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let sequence = 0;

/** A realistic inbound message row, as the webhook stores it. */
export function inboundMessage(overrides: Partial<MessageSnapshotSource> = {}): MessageSnapshotSource {
  sequence += 1;
  const now = new Date();
  return {
    id: crypto.randomUUID(),
    conversationId: crypto.randomUUID(),
    direction: MessageDirection.INBOUND,
    fromAddress: '15551234567@c.us',
    toAddress: '15557654321@c.us',
    body: `Hello, is my order #${sequence} on its way?`,
    type: MessageType.TEXT,
    status: MessageStatus.DELIVERED,
    failureReason: null,
    providerTimestamp: now,
    readAt: null,
    createdAt: now,
    updatedAt: now,
    sentByUserId: null,
    documentId: null,
    replyToId: null,
    ...overrides,
  };
}

export const MESSAGE_RECEIVED = `subscription ($conversationId: ID) {
  messageReceived(conversationId: $conversationId) { id conversationId direction body status createdAt }
}`;

/**
 * graphql-ws gives no acknowledgement that a subscription is live on the server (nor, across
 * instances, that the broker has it), so publish a marker event until the subscriber sees one.
 */
export async function publishUntilSeen(
  publisher: TestApp,
  tenantId: string,
  subscription: LiveSubscription<{ messageReceived: { body: string } }>,
  event: (body: string) => TenantEvent = (body) => messageReceivedEvent(tenantId, inboundMessage({ body })),
): Promise<void> {
  const marker = `warm-up ${crypto.randomUUID()}`;
  const deadline = Date.now() + 10_000;
  while (!subscription.data.some((d) => d.messageReceived.body === marker)) {
    if (Date.now() > deadline) throw new Error(`the subscription never became live (errors ${JSON.stringify(subscription.errors)})`);
    await publisher.app.platform.events.publish(event(marker));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
