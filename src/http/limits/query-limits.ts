import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../platform/errors';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxCost: number;
  maxTokens: number;
}

export type LimitName = 'depth' | 'aliases' | 'directives' | 'cost' | 'introspection' | 'nesting' | 'subscriptions' | 'measure';

export function tooComplex(message: string, limit: LimitName, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit, ...details } });
}
