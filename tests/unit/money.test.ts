import { Money, MoneyError } from '../../src/kernel/money';

describe('Money', () => {
  it('keeps amounts in minor units as bigint and formats them per currency exponent', () => {
    expect(Money.parse('12.50', 'NAD').minor).toBe(1250n);
    expect(Money.parse('12.5', 'NAD').toString()).toBe('12.50 NAD');
    expect(Money.parse('-0.05', 'NAD').toDecimal()).toBe('-0.05');
    expect(Money.of(1500, 'JPY').toDecimal()).toBe('1500');
    expect(Money.of(1234n, 'KWD').toDecimal()).toBe('1.234');
    expect(Money.of(9_007_199_254_740_993n, 'NAD').toDecimal()).toBe('90071992547409.93');
  });

  it('adds, subtracts and multiplies exactly', () => {
    const a = Money.parse('0.10', 'NAD');
    const b = Money.parse('0.20', 'NAD');
    expect(a.add(b).equals(Money.parse('0.30', 'NAD'))).toBe(true);
    expect(a.subtract(b).toDecimal()).toBe('-0.10');
    expect(a.times(3).toDecimal()).toBe('0.30');
    expect(a.compare(b)).toBe(-1);
    expect(b.compare(a)).toBe(1);
    expect(a.compare(Money.of(10, 'NAD'))).toBe(0);
  });

  it('refuses to mix currencies', () => {
    const nad = Money.of(100, 'NAD');
    const zar = Money.of(100, 'ZAR');
    expect(() => nad.add(zar)).toThrow(MoneyError);
    expect(() => nad.subtract(zar)).toThrow(/NAD with ZAR/);
    expect(() => nad.compare(zar)).toThrow(MoneyError);
    expect(nad.equals(zar)).toBe(false);
  });

  it('refuses unknown currencies, fractions of minor units and non-integers', () => {
    expect(() => Money.of(1, 'XXX')).toThrow(/unknown currency/);
    expect(() => Money.parse('1.005', 'NAD')).toThrow(/2 decimal places/);
    expect(() => Money.parse('1,00', 'NAD')).toThrow(/not an amount/);
    expect(() => Money.of(1.5, 'NAD')).toThrow(MoneyError);
    expect(() => Money.of(1, 'NAD').times(0.5)).toThrow(MoneyError);
    expect(() => Money.of(1, 'toString')).toThrow(/unknown currency/);
  });

  it('allocates without losing or creating a cent', () => {
    const parts = Money.parse('100.00', 'NAD').allocate(3);
    expect(parts.map((p) => p.toDecimal())).toEqual(['33.34', '33.33', '33.33']);
    expect(parts.reduce((s, p) => s.add(p), Money.zero('NAD')).toDecimal()).toBe('100.00');
    const negative = Money.of(-100, 'NAD').allocate(3);
    expect(negative.reduce((s, p) => s.add(p), Money.zero('NAD')).minor).toBe(-100n);
  });
});
