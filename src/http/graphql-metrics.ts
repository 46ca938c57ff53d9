import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ServedErrorCode } from '../kernel/errors.js';

/** Records one answered GraphQL request: its operation label, outcome and latency in seconds. */
export type RecordGraphQLRequest = (operation: string, outcome: string, seconds: number) => void;

const SERVED_CODES = new Set<string>(Object.values(ServedErrorCode));

/**
 * Counts and times every GraphQL request Apollo answers. The operation label is the root field
 * the document asks for as the schema names it (`login`, `me`; aliases and the client's
 * operationName play no part), `multiple` for several, and `invalid` when no operation was
 * resolved (the document did not parse or validate, or names no operation it holds); so its
 * values are bounded by the schema. The outcome is `ok` or the first error's code.
 */
export function graphqlMetricsPlugin(record: RecordGraphQLRequest): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operation, document, response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.code;
          const outcome = !errors?.length
            ? 'ok'
            : typeof code === 'string' && SERVED_CODES.has(code)
              ? code
              : 'INTERNAL_SERVER_ERROR';
          const label = operation && document ? operationLabel(operation, document) : 'invalid';
          record(label, outcome, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

/** Labels by operation node: Apollo keeps parsed documents, so a repeated operation is looked up once. */
const labels = new WeakMap<OperationDefinitionNode, string>();

function operationLabel(operation: OperationDefinitionNode, document: DocumentNode): string {
  let label = labels.get(operation);
  if (label === undefined) {
    const fields = new Set<string>();
    rootFields(operation.selectionSet, document, fields, 0);
    // __typename beside real fields says nothing about the work done.
    if (fields.size > 1) fields.delete('__typename');
    label = fields.size === 1 ? [...fields][0] : fields.size === 0 ? 'invalid' : 'multiple';
    labels.set(operation, label);
  }
  return label;
}

/** The root fields' schema names, through inline fragments and fragment spreads. */
function rootFields(set: SelectionSetNode, document: DocumentNode, into: Set<string>, depth: number): void {
  if (depth > 10) return;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) into.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      rootFields(selection.selectionSet, document, into, depth + 1);
    else {
      const fragment = document.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION)
        rootFields(fragment.selectionSet, document, into, depth + 1);
    }
  }
}
