import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { GraphQLError, ValidationContext } from 'graphql';

/**
 * Document limits, checked during validation (before any resolver runs). The
 * deepest legitimate operation (login → user → wallet → address) has depth 4;
 * introspection is exempt so Sandbox and codegen keep working in development.
 */
export const DOCUMENT_LIMITS = {
  maxDepth: 8,
  maxAliases: 10,
  maxCost: 5000,
  maxDirectives: 20,
  maxTokens: 2000,
} as const;

/** Report as ordinary validation errors (GRAPHQL_VALIDATION_FAILED) instead of throwing out of validation. */
const report = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(err)],
};

export const documentValidationRules = [
  maxDepthRule({ n: DOCUMENT_LIMITS.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...report }),
  maxAliasesRule({ n: DOCUMENT_LIMITS.maxAliases, ...report }),
  costLimitRule({ maxCost: DOCUMENT_LIMITS.maxCost, ignoreIntrospection: true, ...report }),
  maxDirectivesRule({ n: DOCUMENT_LIMITS.maxDirectives, ...report }),
];
