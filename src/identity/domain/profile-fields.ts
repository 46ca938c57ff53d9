import { badInput } from '../../kernel/errors.js';
import { parseNamibianPhone } from './phone-number.js';
import { type Blockchain, parseWalletAddress } from './wallet-address.js';

/** Phone and wallet as given in RegisterInput / UpdateProfileInput, validated and canonical. */
export function parseContactFields(input: {
  phone?: string | null;
  walletAddress?: string | null;
  walletBlockchain?: Blockchain | null;
}): { phone?: string; wallet?: { address: string; blockchain: Blockchain } } {
  const phone = input.phone ? parseNamibianPhone(input.phone) : undefined;
  if (!input.walletAddress) {
    if (input.walletBlockchain)
      throw badInput('walletAddress', 'A wallet address is needed with walletBlockchain');
    return { phone };
  }
  if (!input.walletBlockchain)
    throw badInput('walletBlockchain', 'Say which blockchain the wallet address is on');
  const address = parseWalletAddress(input.walletAddress, input.walletBlockchain);
  return { phone, wallet: { address, blockchain: input.walletBlockchain } };
}
