import assert from 'node:assert/strict';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string; [key: string]: unknown } }>;
  extensions?: { sqlStatements?: number; [key: string]: unknown };
}

export interface SignedUp {
  token: string;
  userId: string;
  tenantId: string;
  email: string;
  password: string;
}

let counter = 0;

/** Talks to the server over real HTTP (and WebSocket), like a frontend would. */
export class GraphQLTestClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>> {
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphQLResponse<T>;
    return { ...body, status: response.status };
  }

  /** Like request() but fails the test on any error; returns data. */
  async data<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T> {
    const result = await this.request<T>(query, variables, token);
    assert.equal(result.errors, undefined, `GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data as T;
  }

  /** Asserts the request failed with `code` and returns the first error. */
  async expectError(code: string, query: string, variables?: Record<string, unknown>, token?: string) {
    const result = await this.request(query, variables, token);
    const codes = (result.errors ?? []).map((error) => error.extensions?.code);
    assert.ok(codes.includes(code), `expected ${code}, got ${JSON.stringify(result.errors ?? result.data)}`);
    return result.errors!.find((error) => error.extensions?.code === code)!;
  }

  async signUp(overrides: { organizationName?: string; email?: string; password?: string; name?: string } = {}): Promise<SignedUp> {
    counter += 1;
    const input = {
      organizationName: overrides.organizationName ?? `Org ${counter} ${Date.now()}`,
      email: overrides.email ?? `owner${counter}.${Date.now()}.${Math.random().toString(36).slice(2, 7)}@example.com`,
      password: overrides.password ?? 'correct horse battery',
      name: overrides.name ?? 'Owner',
    };
    const data = await this.data(
      `mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id } tenant { id } } }`,
      { input },
    );
    return { token: data.signUp.token, userId: data.signUp.user.id, tenantId: data.signUp.tenant.id, email: input.email, password: input.password };
  }

  /** A graphql-ws client; `authorization` goes in connectionParams like a browser would send it. */
  ws(token?: string, options: { lazy?: boolean } = {}): WsClient {
    return createClient({
      url: `${this.baseUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      lazy: options.lazy ?? true,
      retryAttempts: 0,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    });
  }
}
