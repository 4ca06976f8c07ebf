import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ErrorCode } from '../errors';

/**
 * HTTP answers carrying a RATE_LIMITED error get `Retry-After`; when nothing else was answered
 * (no data), the status is 429 too.
 */
export const retryAfterPlugin = <T extends BaseContext>(): ApolloServerPlugin<T> => ({
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const { errors, data } = response.body.singleResult;
        const seconds = errors
          ?.filter((error) => error.extensions?.code === ErrorCode.RATE_LIMITED)
          .map((error) => Number(error.extensions?.retryAfterSeconds))
          .filter((value) => Number.isFinite(value));
        if (!seconds?.length) return;
        response.http.headers.set('retry-after', String(Math.max(...seconds)));
        if (data === null || data === undefined || Object.values(data).every((value) => value === null)) response.http.status = 429;
      },
    };
  },
});
