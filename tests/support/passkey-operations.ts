import { graphql } from '../gql';

export const BeginPasskeyRegistrationDoc = graphql(`
  mutation BeginPasskeyRegistration($password: String) { beginPasskeyRegistration(password: $password) }
`);
export const FinishPasskeyRegistrationDoc = graphql(`
  mutation FinishPasskeyRegistration($response: JSONObject!, $name: String) {
    finishPasskeyRegistration(response: $response, name: $name) { id name createdAt lastUsedAt }
  }
`);
export const BeginPasskeyLoginDoc = graphql(`
  mutation BeginPasskeyLogin($challengeToken: String) { beginPasskeyLogin(challengeToken: $challengeToken) }
`);
export const FinishPasskeyLoginDoc = graphql(`
  mutation FinishPasskeyLogin(
    $response: JSONObject!
    $deviceId: String!
    $deviceName: String
    $challengeToken: String
    $deviceTrustToken: String
  ) {
    finishPasskeyLogin(
      response: $response
      deviceId: $deviceId
      deviceName: $deviceName
      challengeToken: $challengeToken
      deviceTrustToken: $deviceTrustToken
    ) {
      __typename
      ... on AuthPayload { ...AuthFields }
      ... on MfaChallenge { challengeToken methods expiresAt }
    }
  }
`);
export const MyPasskeysDoc = graphql(`
  query MyPasskeys { myPasskeys { id name createdAt lastUsedAt } }
`);
export const RenamePasskeyDoc = graphql(`
  mutation RenamePasskey($id: ID!, $name: String!) { renamePasskey(id: $id, name: $name) { id name createdAt lastUsedAt } }
`);
export const RemovePasskeyDoc = graphql(`
  mutation RemovePasskey($id: ID!, $password: String) { removePasskey(id: $id, password: $password) }
`);
