import crypto from 'node:crypto';
import WebSocket from 'ws';
import { Membership, type TenantRole } from '../../src/platform/control/membership.entity';
import { User } from '../../src/platform/control/user.entity';
import type { TestApp } from '../support/test-app';

/**
 * A member added straight in the control database with a signed token: these tests are about
 * what an identity may do once it exists, not how it was invited.
 */
export async function addMemberDirectly(t: TestApp, tenantId: string, role: TenantRole): Promise<{ userId: string; token: string }> {
  const control = t.app.platform.control;
  const user = control.getRepository(User).create({
    email: `m.${crypto.randomBytes(5).toString('hex')}@example.com`,
    name: `Member ${role}`,
    passwordHash: 'not used',
  });
  await control.getRepository(User).insert(user);
  await control.getRepository(Membership).insert({ userId: user.id, tenantId, role });
  return { userId: user.id, token: t.app.platform.tokens.signUser({ userId: user.id, tenantId, role }).token };
}

/** The subject of a token we signed (e.g. a platform admin's id). */
export const tokenSubject = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).sub;

export interface WsAnswer {
  data?: any;
  errors?: Array<{ message: string; extensions?: { code?: string; [key: string]: unknown } }>;
  /** Set when the socket closed instead of answering. */
  closeCode?: number;
}

/**
 * A graphql-transport-ws connection spoken by hand: unlike graphql-ws's client it never closes
 * on its own between operations, so a close seen here is the server's.
 */
export interface OpenSocket {
  /** Runs one operation; its first result or errors, or the close code if the socket closed. */
  request(query: string, variables?: Record<string, unknown>): Promise<WsAnswer>;
  /** Like request() with the variables already as JSON text (for values JSON.stringify cannot write). */
  requestWithJsonVariables(query: string, variablesJson: string): Promise<WsAnswer>;
  /** Resolves with the close code and reason when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  isClosed(): boolean;
  close(): void;
}

let operationId = 0;

/** Connects and waits for connection_ack; rejects with the close code if the server refuses. */
export async function openSocket(baseUrl: string, authorization: string): Promise<OpenSocket> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  let closedYet = false;
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      closedYet = true;
      resolve({ code, reason: reason.toString() });
    }),
  );
  const pending = new Map<string, (answer: WsAnswer) => void>();
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString());
    const settle = pending.get(message.id);
    if (!settle) return;
    if (message.type === 'next') settle({ data: message.payload.data, errors: message.payload.errors });
    else if (message.type === 'error') settle({ errors: message.payload });
    else if (message.type === 'complete') settle({});
  });
  void closed.then(({ code }) => {
    for (const settle of pending.values()) settle({ closeCode: code });
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })));
    ws.on('message', (raw) => {
      if (JSON.parse(raw.toString()).type === 'connection_ack') resolve();
    });
    ws.on('error', reject);
    void closed.then((event) => reject(new Error(`socket closed before connecting: ${event.code} ${event.reason}`)));
  });
  const send = (query: string, variablesJson: string): Promise<WsAnswer> =>
    new Promise((resolve) => {
      if (closedYet) return resolve({ closeCode: -1 });
      const id = String(++operationId);
      pending.set(id, (answer) => {
        pending.delete(id);
        if (answer.data !== undefined && !closedYet) ws.send(JSON.stringify({ id, type: 'complete' }));
        resolve(answer);
      });
      ws.send(`{"id":${JSON.stringify(id)},"type":"subscribe","payload":{"query":${JSON.stringify(query)},"variables":${variablesJson}}}`);
    });
  return {
    request: (query, variables) => send(query, JSON.stringify(variables ?? {})),
    requestWithJsonVariables: send,
    closed,
    isClosed: () => closedYet,
    close: () => ws.close(1000),
  };
}

/** Resolves with the value, or rejects after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms).unref()),
  ]);
}
