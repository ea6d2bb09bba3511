import fc from 'fast-check';
import { uuidv7 } from '../../core/ledger/ids';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('gives RFC 9562 version-7 ids carrying the millisecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 47 }), (ms) => {
        const id = uuidv7(ms);
        expect(id).toMatch(V7);
        expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(ms);
      }),
    );
  });

  it('keeps ids of one process unique and increasing, even 10,000 within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7(4_000_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
