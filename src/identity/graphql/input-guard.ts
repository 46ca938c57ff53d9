import { defaultFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { badInput } from '../../kernel/errors.js';

/**
 * Refused in every string: C0 controls (NUL, tab and newline included: no field but a signed wallet
 * message takes multi-line text), DEL and C1 controls, and lone surrogates (not Unicode text: they would reach the database
 * as U+FFFD).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

/**
 * Refused too in every string but a password: bidi embeddings, overrides, isolates and marks
 * (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), zero-width characters (U+200B–U+200D,
 * U+2060, U+FEFF) and the line and paragraph separators (U+2028, U+2029).
 */
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u2028\u2029]/;

/** A password may hold any printable Unicode (emoji sequences joined by U+200D, RTL marks). */
const PASSWORD_FIELDS = new Set(['password', 'currentPassword', 'newPassword']);

/** A signed wallet message is lines of text: line feeds are its one control character. */
const MULTILINE_FIELDS = new Set(['message']);

/**
 * Throws BAD_USER_INPUT naming the argument or input field whose string holds a refused
 * character. Walks input objects and lists at any depth; `field` is the name the value came under.
 */
export function assertCleanInput(value: unknown, field: string): void {
  if (typeof value === 'string') {
    const text = MULTILINE_FIELDS.has(field) ? value.replaceAll('\n', ' ') : value;
    if (CONTROL.test(text)) throw badInput(field, `"${field}" contains a control character`);
    if (!PASSWORD_FIELDS.has(field) && INVISIBLE.test(value))
      throw badInput(field, `"${field}" contains an invisible or text-direction character`);
  } else if (Array.isArray(value)) {
    for (const item of value) assertCleanInput(item, field);
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) assertCleanInput(item, key);
  }
}

/** Coerced input objects are plain objects; scalars such as a Date are left alone. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The one guard on string input at the GraphQL edge: every field of the schema that takes
 * arguments gets its resolver wrapped so that the coerced arguments (from variables or written in
 * the document, input objects and lists included) are checked before the resolver, and so before
 * type-graphql's argument conversion and any use case, sees them. Fields without arguments are
 * left as they are, so reading a page of users costs nothing more. It adds no type to the schema.
 */
export function guardStringInputs(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        for (const [name, value] of Object.entries(args)) assertCleanInput(value, name);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
