import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { AdminResolver } from './admin.resolver.js';
import { AuditResolver } from './audit.resolver.js';
import { AuthResolver } from './auth.resolver.js';
import { EmailResolver } from './email.resolver.js';
import { withOrphanedEnums } from './error-codes.type.js';
import { guardStringInputs } from './input-guard.js';
import { MeResolver } from './me.resolver.js';
import { MfaResolver } from './mfa.resolver.js';
import { PasskeyResolver } from './passkey.resolver.js';
import { ProfileResolver } from './profile.resolver.js';
import { SessionResolver } from './session.resolver.js';
import { UserFieldsResolver } from './user.type.js';
import { WalletResolver } from './wallet.resolver.js';

export const resolvers = [
  AuthResolver,
  MeResolver,
  SessionResolver,
  ProfileResolver,
  AdminResolver,
  AuditResolver,
  MfaResolver,
  EmailResolver,
  UserFieldsResolver,
  WalletResolver,
  PasskeyResolver,
] as const;

/** The executable schema, built from the resolver classes (code first). */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  // The error catalogue's enums (ErrorCode, UnauthenticatedReason) are in the schema though no
  // field returns them, so that introspection and codegen show them.
  const schema = withOrphanedEnums(
    await buildSchema({
      resolvers,
      scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
      validate: false,
      emitSchemaFile: false,
    }),
  );
  // Every string argument and input field is checked for control, invisible and bidi characters
  // before any resolver sees it (input-guard.ts).
  guardStringInputs(schema);
  // type-graphql has no option for root type descriptions; Sandbox and codegen show these.
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  if (query) query.description = 'Reads. Most need `Authorization: Bearer <accessToken>`.';
  if (mutation)
    mutation.description = 'Changes. Sign-in operations are public; the rest need an access token.';
  return schema;
}

/** The SDL committed as schema/schema.graphql: sorted, so that decorator order never shows in diffs. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}
