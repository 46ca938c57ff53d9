/**
 * Money for the platform's shared kernel: an amount in minor units (bigint, so
 * no float rounding) and an ISO 4217 currency. Arithmetic refuses to mix
 * currencies; the payments service builds on this, the identity service does not use it yet.
 */

/** ISO 4217 currencies the platform handles, with their minor-unit exponent. */
export const CURRENCIES = {
  NAD: 2, // Namibian dollar
  ZAR: 2, // South African rand (at par with NAD)
  USD: 2,
  EUR: 2,
  GBP: 2,
  BWP: 2, // Botswana pula
  AOA: 2, // Angolan kwanza
  ZMW: 2, // Zambian kwacha
  JPY: 0,
  KWD: 3,
} as const;

export type Currency = keyof typeof CURRENCIES;

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyError';
  }
}

export class Money {
  private constructor(
    readonly minor: bigint,
    readonly currency: Currency,
  ) {}

  static of(minor: bigint | number, currency: string): Money {
    if (!isCurrency(currency)) throw new MoneyError(`unknown currency ${currency}`);
    if (typeof minor === 'number' && !Number.isSafeInteger(minor))
      throw new MoneyError('minor units must be an integer');
    return new Money(BigInt(minor), currency);
  }

  static zero(currency: string): Money {
    return Money.of(0n, currency);
  }

  /** Parses a decimal string in major units ("12.50" NAD → 1250 minor units); refuses extra precision. */
  static parse(text: string, currency: string): Money {
    if (!isCurrency(currency)) throw new MoneyError(`unknown currency ${currency}`);
    const exponent = CURRENCIES[currency];
    const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
    if (!match) throw new MoneyError(`not an amount: ${text}`);
    const [, sign, whole, fraction = ''] = match;
    if (fraction.length > exponent) throw new MoneyError(`${currency} has ${exponent} decimal places`);
    const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
    return new Money(sign ? -minor : minor, currency);
  }

  add(other: Money): Money {
    return new Money(this.minor + this.same(other).minor, this.currency);
  }

  subtract(other: Money): Money {
    return new Money(this.minor - this.same(other).minor, this.currency);
  }

  /** Multiplies by an integer factor (quantities); fractional rates belong to the caller's rounding policy. */
  times(factor: bigint | number): Money {
    if (typeof factor === 'number' && !Number.isSafeInteger(factor))
      throw new MoneyError('factor must be an integer');
    return new Money(this.minor * BigInt(factor), this.currency);
  }

  /** Splits into `parts` amounts that differ by at most one minor unit and add up to this one. */
  allocate(parts: number): Money[] {
    if (!Number.isInteger(parts) || parts < 1) throw new MoneyError('parts must be a positive integer');
    const n = BigInt(parts);
    const base = this.minor / n;
    const remainder = this.minor - base * n;
    const step = remainder < 0n ? -1n : 1n;
    const extra = remainder < 0n ? -remainder : remainder;
    return Array.from(
      { length: parts },
      (_, i) => new Money(base + (BigInt(i) < extra ? step : 0n), this.currency),
    );
  }

  compare(other: Money): -1 | 0 | 1 {
    const b = this.same(other).minor;
    return this.minor < b ? -1 : this.minor > b ? 1 : 0;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.minor === other.minor;
  }

  get isNegative(): boolean {
    return this.minor < 0n;
  }

  /** Decimal string in major units, e.g. "12.50". */
  toDecimal(): string {
    const exponent = CURRENCIES[this.currency];
    const negative = this.minor < 0n;
    const digits = (negative ? -this.minor : this.minor).toString().padStart(exponent + 1, '0');
    const whole = digits.slice(0, digits.length - exponent);
    const fraction = exponent > 0 ? `.${digits.slice(-exponent)}` : '';
    return `${negative ? '-' : ''}${whole}${fraction}`;
  }

  toString(): string {
    return `${this.toDecimal()} ${this.currency}`;
  }

  private same(other: Money): Money {
    if (other.currency !== this.currency) {
      throw new MoneyError(`cannot combine ${this.currency} with ${other.currency}`);
    }
    return other;
  }
}

const isCurrency = (code: string): code is Currency => Object.hasOwn(CURRENCIES, code);
