import { graphql } from '../gql';

export const WalletChallengeDoc = graphql(`
  mutation WalletChallenge($input: WalletChallengeInput!) {
    walletChallenge(input: $input) { message expiresAt }
  }
`);

export const LinkWalletDoc = graphql(`
  mutation LinkWallet($input: LinkWalletInput!) {
    linkWallet(input: $input) { id wallet { address blockchain } }
  }
`);

export const LoginWithWalletDoc = graphql(`
  mutation LoginWithWallet($input: WalletLoginInput!) {
    loginWithWallet(input: $input) {
      __typename
      ... on AuthPayload { ...AuthFields }
      ... on MfaChallenge { challengeToken methods expiresAt }
    }
  }
`);
