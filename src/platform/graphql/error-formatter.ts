import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { translateDbError } from '../db/pg-errors';

/** Apollo's own codes for documents that never ran; passed through unchanged. */
const APOLLO_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/** The logger of the request an error happened in (with its request and tenant ids), by error. */
const errorLogs = new WeakMap<object, Logger>();

/** Ties an error to its request's logger, so that logging it while formatting names the request. */
export function bindErrorLog(error: object, log: Logger): void {
  errorLogs.set(error, log);
}

/** graphql-js's "Did you mean ...?" hints, which name fields and types of the schema. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * Expected failures keep their stable code; input validation becomes VALIDATION_FAILED with
 * per-field details; anything else is logged and reported as a bare internal error.
 * With `hideSchemaDetails` (introspection off, as in production) suggestions are removed from
 * messages, since they would reveal the schema that introspection hides.
 * Never throws: a formatter that throws turns any error into an unlogged internal error.
 */
export function createErrorFormatter(rootLog: Logger, options: { hideSchemaDetails?: boolean } = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const log = (typeof error === 'object' && error !== null && errorLogs.get(error)) || rootLog;
    let result: GraphQLFormattedError;
    try {
      result = formatWith(log)(formatted, error);
    } catch (formatterError) {
      try {
        log.error({ err: formatterError, message: formatted?.message }, 'could not format an error');
      } catch {
        // nothing more to do: the answer below is still safe
      }
      result = { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
    if (options.hideSchemaDetails && typeof result.message === 'string' && result.message.includes('Did you mean')) {
      result = { ...result, message: result.message.replace(SUGGESTION, '') };
    }
    return result;
  };
}

function formatWith(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError || (original instanceof GraphQLError && isOurCode(original.extensions.code))) {
      const { http: _http, ...extensions } = original.extensions;
      return { message: original.message, path: formatted.path, locations: formatted.locations, extensions };
    }
    if (original instanceof ArgumentValidationError) {
      const errors = original.extensions.validationErrors;
      const fields = (Array.isArray(errors) ? errors : []) as Array<{ property: string; constraints?: Record<string, string>; children?: unknown[] }>;
      return {
        message: 'Input is not valid',
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: ErrorCode.VALIDATION_FAILED, details: { fields: flattenValidationErrors(fields) } },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && APOLLO_CODES.has(code)) {
      // Variables that don't match their types are bad input like any other.
      return code === 'BAD_USER_INPUT'
        ? { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.VALIDATION_FAILED } }
        : formatted;
    }
    // A value PostgreSQL refused (a malformed uuid in a cursor, a number out of range, a
    // constraint) that no resolver translated: still the caller's bad input, with a stable code.
    const translated = translateDbError(original);
    if (translated instanceof AppError) {
      log.warn({ err: original, path: formatted.path }, 'database refused a value; answered with a stable code');
      return { message: translated.message, path: formatted.path, locations: formatted.locations, extensions: translated.extensions };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return {
      message: 'Internal server error',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

const OUR_CODES = new Set<unknown>(Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR));
const isOurCode = (code: unknown) => OUR_CODES.has(code);

function flattenValidationErrors(
  errors: Array<{ property: string; constraints?: Record<string, string>; children?: unknown[] }>,
  parent = '',
): Array<{ field: string; messages: string[] }> {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    const children = (Array.isArray(error.children) ? error.children : []) as typeof errors;
    return [...own, ...flattenValidationErrors(children, field)];
  });
}
