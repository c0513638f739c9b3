import type { ValidationError } from 'class-validator';
import { GraphQLError } from 'graphql';
import { ArgumentValidationError, AuthenticationError, AuthorizationError, type MiddlewareFn } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import { ErrorCode, forbidden, unauthenticated } from '../platform/errors';
import { flattenValidationErrors, toClientError } from './graphql-errors';

/**
 * First global middleware: every resolver failure leaves here as a client-safe GraphQLError.
 * Validation failures name fields by their full argument path (`input.email`), never their values.
 */
export const errorMapping: MiddlewareFn<RequestContext> = async ({ args, context }, next) => {
  try {
    return await next();
  } catch (error) {
    if (error instanceof ArgumentValidationError) throw validationToClientError(error, args);
    const denied = error instanceof AuthenticationError || error instanceof AuthorizationError;
    const mapped = toClientError(denied ? (context.principal ? forbidden() : unauthenticated()) : error, context.requestId);
    if (mapped.unexpected) context.logger.error({ err: describeForLog(error), requestId: context.requestId }, 'unexpected resolver error');
    throw mapped.error;
  }
};

function validationToClientError(error: ArgumentValidationError, args: Record<string, unknown>): GraphQLError {
  const fields = error.extensions.validationErrors.flatMap((validation: ValidationError) =>
    flattenValidationErrors([validation], owningArgument(args, validation.property)),
  );
  return new GraphQLError('Invalid input', { extensions: { code: ErrorCode.BAD_USER_INPUT, fields } });
}

/** `@Arg('input')` errors name the input's fields; `@Args()` classes are flat, their fields are the arguments. */
function owningArgument(args: Record<string, unknown>, property: string): string {
  if (property in args) return '';
  const objectArgs = Object.keys(args).filter((name) => typeof args[name] === 'object' && args[name] !== null);
  return objectArgs.find((name) => property in (args[name] as object)) ?? (objectArgs.length === 1 ? objectArgs[0] : '');
}

function describeForLog(error: unknown): { name: string; message: string; stack?: string } {
  return error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { name: 'unknown', message: String(error) };
}
