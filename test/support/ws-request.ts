import type { Client as WsClient } from 'graphql-ws';

export interface WsOutcome {
  data?: any;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
  /** Set when the socket closed instead of answering, e.g. 4403 for refused credentials. */
  closeCode?: number;
  /** The operation completed without sending a result. */
  completedWithoutResult?: boolean;
}

/** Runs one operation over graphql-ws and reports its first result, its errors, or the close code. */
export function wsRequest(client: WsClient, query: string, variables?: Record<string, unknown>): Promise<WsOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: WsOutcome) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      resolve(outcome);
    };
    const unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (result) => settle({ data: result.data, errors: result.errors as WsOutcome['errors'] }),
        error: (error: unknown) => {
          if (Array.isArray(error)) return settle({ errors: error });
          const code = (error as { code?: number }).code;
          settle(typeof code === 'number' ? { closeCode: code } : { errors: [{ message: String(error) }] });
        },
        complete: () => settle({ completedWithoutResult: true }),
      },
    );
  });
}
