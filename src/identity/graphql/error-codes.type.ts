import { GraphQLEnumType, GraphQLSchema } from 'graphql';
import { registerEnumType } from 'type-graphql';
import { ServedErrorCode, UnauthenticatedReason } from '../../kernel/errors.js';

/**
 * The error catalogue as GraphQL enums. No field returns them: a client reads them as the values
 * of `extensions.code` and `extensions.reason`, and codegen types them from the schema. Each value
 * needs a description here, so a code added to kernel/errors.ts does not compile until it has one.
 */

interface CatalogueEnum<T extends string> {
  values: Readonly<Record<T, T>>;
  name: string;
  description: string;
  valuesConfig: Record<T, { description: string }>;
}

const described = <T extends string>(descriptions: Record<T, string>) =>
  Object.fromEntries(Object.entries(descriptions).map(([k, d]) => [k, { description: d }])) as Record<
    T,
    { description: string }
  >;

export const ErrorCodeEnum: CatalogueEnum<ServedErrorCode> = {
  values: ServedErrorCode,
  name: 'ErrorCode',
  description:
    'Every value of `extensions.code` the service can answer with, on GraphQL errors and on HTTP-level errors alike. No field returns this type.',
  valuesConfig: described<ServedErrorCode>({
    BAD_USER_INPUT: 'An argument or input field is invalid; `extensions.field` names it when known.',
    UNAUTHENTICATED:
      'No usable access token, or a refresh or MFA challenge token that is invalid or expired. `extensions.reason` (UnauthenticatedReason) tells why, for access tokens.',
    INVALID_CREDENTIALS: 'A sign-in failed; the response never tells which part was wrong.',
    FORBIDDEN: 'Not allowed: the caller may not do this (an admin-only operation, for instance).',
    NOT_FOUND: 'The thing asked for does not exist, or is not yours.',
    CONFLICT: 'A unique value is already taken; `extensions.field` names it.',
    RATE_LIMITED: 'Too many attempts; `extensions.retryAfterSeconds` says when to try again.',
    REFRESH_TOKEN_REUSED:
      'A rotated-away refresh token was presented again: the session is revoked; sign in again.',
    INTERNAL_SERVER_ERROR:
      'An unexpected failure, details withheld; `extensions.requestId` identifies it in the logs.',
    GRAPHQL_PARSE_FAILED: 'The document is not valid GraphQL syntax.',
    GRAPHQL_VALIDATION_FAILED: 'The document does not validate against the schema or the document limits.',
    BAD_REQUEST:
      'The HTTP request is malformed: no query, a body that is too large or not JSON, or a request refused by CSRF prevention.',
    OPERATION_RESOLUTION_FAILURE:
      'The document holds several operations and `operationName` names none of them.',
    PERSISTED_QUERY_NOT_FOUND:
      'An automatic persisted query whose hash is not cached: send it again with the query text.',
  }),
};

export const UnauthenticatedReasonEnum: CatalogueEnum<UnauthenticatedReason> = {
  values: UnauthenticatedReason,
  name: 'UnauthenticatedReason',
  description:
    'Why a request is UNAUTHENTICATED, as `extensions.reason` on errors about the access token. No field returns this type.',
  valuesConfig: described<UnauthenticatedReason>({
    TOKEN_EXPIRED: 'The access token is genuine but past its expiry: refresh the session and retry.',
    TOKEN_INVALID:
      'No bearer access token was sent, or it is malformed, forged, altered or not an access token: sign in again.',
    SESSION_ENDED:
      'The session was signed out, revoked or has expired, or the account can no longer be used: sign in again.',
    DEVICE_MISMATCH: 'The access token was issued to another device than the X-Device-Id header names.',
  }),
};

/** Enums that belong in the schema though no field uses them. */
export const orphanedEnums: readonly CatalogueEnum<string>[] = [ErrorCodeEnum, UnauthenticatedReasonEnum];

for (const e of orphanedEnums) {
  registerEnumType(e.values, { name: e.name, description: e.description, valuesConfig: e.valuesConfig });
}

/**
 * The schema with the orphaned enums added, as type-graphql would build them: its `orphanedTypes`
 * takes object, interface and input types only. An enum some field already uses is left as built.
 */
export function withOrphanedEnums(schema: GraphQLSchema): GraphQLSchema {
  const missing = orphanedEnums.filter((e) => !schema.getType(e.name));
  if (missing.length === 0) return schema;
  const config = schema.toConfig();
  return new GraphQLSchema({
    ...config,
    types: [
      ...config.types,
      ...missing.map(
        (e) =>
          new GraphQLEnumType({
            name: e.name,
            description: e.description,
            values: Object.fromEntries(
              Object.entries(e.values).map(([key, value]) => [
                key,
                { value, description: e.valuesConfig[key].description },
              ]),
            ),
          }),
      ),
    ],
  });
}
