import { graphql } from '../gql';

/** The console's passkey operations: adding, listing, renaming and removing, and signing in. */

export const ConsolePasskeyFields = graphql(`
  fragment ConsolePasskeyFields on Passkey {
    id
    name
    createdAt
    lastUsedAt
  }
`);

export const MyPasskeysDoc = graphql(`
  query ConsoleMyPasskeys {
    myPasskeys {
      ...ConsolePasskeyFields
    }
  }
`);

export const BeginPasskeyRegistrationDoc = graphql(`
  mutation ConsoleBeginPasskeyRegistration($password: String) {
    beginPasskeyRegistration(password: $password)
  }
`);

export const FinishPasskeyRegistrationDoc = graphql(`
  mutation ConsoleFinishPasskeyRegistration($response: JSONObject!, $name: String) {
    finishPasskeyRegistration(response: $response, name: $name) {
      ...ConsolePasskeyFields
    }
  }
`);

export const RenamePasskeyDoc = graphql(`
  mutation ConsoleRenamePasskey($id: ID!, $name: String!) {
    renamePasskey(id: $id, name: $name) {
      ...ConsolePasskeyFields
    }
  }
`);

export const RemovePasskeyDoc = graphql(`
  mutation ConsoleRemovePasskey($id: ID!, $password: String) {
    removePasskey(id: $id, password: $password)
  }
`);

export const BeginPasskeyLoginDoc = graphql(`
  mutation ConsoleBeginPasskeyLogin($challengeToken: String) {
    beginPasskeyLogin(challengeToken: $challengeToken)
  }
`);

export const FinishPasskeyLoginDoc = graphql(`
  mutation ConsoleFinishPasskeyLogin($response: JSONObject!, $deviceId: String!, $challengeToken: String) {
    finishPasskeyLogin(response: $response, deviceId: $deviceId, challengeToken: $challengeToken) {
      __typename
      ... on AuthPayload {
        ...ConsoleAuthFields
      }
    }
  }
`);
