/** One reading of a typed dollar amount for the price form, the budget field and the CLI. */
import { describe, expect, it } from 'vitest';
import { parseDollars } from '../../src/shared/money-input';

describe('parseDollars', () => {
  it('reads plain and $-prefixed amounts, with spaces around', () => {
    expect(parseDollars('0.12')).toBe(0.12);
    expect(parseDollars('$0.12')).toBe(0.12);
    expect(parseDollars(' $ 5 ')).toBe(5);
    expect(parseDollars('12.50')).toBe(12.5);
  });

  it('gives NaN for an empty field or text that is not an amount, for the caller to name', () => {
    expect(parseDollars('')).toBeNaN();
    expect(parseDollars('  $ ')).toBeNaN();
    expect(parseDollars('five')).toBeNaN();
    expect(parseDollars('1,50')).toBeNaN();
  });
});
