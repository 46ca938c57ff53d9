import { Type } from '@mikro-orm/core';
import type { FieldEncryption } from '../crypto/field-encryption.js';

/**
 * A text column stored AES-256-GCM encrypted (FieldEncryption), plain in
 * memory. Ciphertexts differ at every write (random nonces), so change
 * detection compares the decrypted values.
 */
export class EncryptedText extends Type<string | null | undefined, string | null | undefined> {
  constructor(
    private readonly encryption: FieldEncryption,
    private readonly context: string,
  ) {
    super();
  }

  override convertToDatabaseValue(value: string | null | undefined): string | null | undefined {
    return value == null ? value : this.encryption.encrypt(value, this.context);
  }

  override convertToJSValue(value: string | null | undefined): string | null | undefined {
    return value == null ? value : this.encryption.decrypt(value, this.context);
  }

  override compareValues(a: string | null | undefined, b: string | null | undefined): boolean {
    return this.convertToJSValue(a) === this.convertToJSValue(b);
  }

  override ensureComparable(): boolean {
    return false;
  }

  override getColumnType(): string {
    return 'text';
  }
}
