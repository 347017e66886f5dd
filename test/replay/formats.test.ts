import { describe, expect, it } from 'vitest';
import { binanceSymbol, decimalsOf, detectFormat, type Format } from '../../server/feed/replay/formats.js';
import { L2_HEAD, QUOTES_HEAD, SNAP5_HEAD, TRADES_HEAD } from './fixtures.js';

const fmt = (first: string, name = 'x.csv'): Format => {
  const f = detectFormat(first, name);
  if (typeof f === 'string') throw new Error(f);
  return f;
};

describe('recorded formats', () => {
  it('tells every format by its header, and headerless Binance by file name or column count', () => {
    expect(fmt(TRADES_HEAD).name).toBe('trades');
    expect(fmt(QUOTES_HEAD).name).toBe('quotes');
    expect(fmt(L2_HEAD).name).toBe('incremental_book_L2');
    expect(fmt(SNAP5_HEAD).name).toBe('book_snapshot');
    expect(fmt('id,price,qty,quote_qty,time,is_buyer_maker', 'BTCUSDT-trades-2025-01-02.csv').name).toBe('binance_trades');
    expect(fmt('agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match', 'ETHUSDT-aggTrades-2025-01-02.csv.gz').name).toBe('binance_aggTrades');
    // headerless: 7 columns is either format, so the name decides; 6 and 8 by count
    expect(fmt('1,100.5,0.1,10.05,1735689600000,true,true', 'BTCUSDT-trades-2025-01-02.csv')).toMatchObject({ name: 'binance_trades', header: false });
    expect(fmt('1,100.5,0.1,1,1,1735689600000,true', 'BTCUSDT-aggTrades-2025-01-02.csv')).toMatchObject({ name: 'binance_aggTrades', header: false });
    expect(fmt('1,100.5,0.1,10.05,1735689600000,true', 'BTCUSDT-trades-2025-01-02.csv').name).toBe('binance_trades');
    expect(detectFormat('1,100.5,0.1,1,1,1735689600000,true', 'data.csv')).toMatch(/headerless file of 7 columns/);
    expect(detectFormat('a,b,c', 'x.csv')).toMatch(/unknown format/);
    expect(binanceSymbol('/data/BTCUSDT-trades-2025-01-02.csv.gz')).toBe('BTCUSDT');
  });

  it('parses Tardis µs and Binance ms or µs times, sides, and says what is wrong with a bad row', () => {
    const t = fmt(TRADES_HEAD);
    expect(t.parse('deribit,BTC-PERPETUAL,1735689600000123,1735689600000456,t1,sell,104500.5,0.25'.split(','))).toEqual({
      kind: 'trade', symbol: 'BTC-PERPETUAL', ts: 1735689600000.123, recv: 1735689600000.456, id: 't1', side: 'sell', price: 104500.5, amount: 0.25,
    });
    expect(t.parse('deribit,X,1,2,t1,buy,abc,1'.split(','))).toBe('price is not a number');
    expect(t.parse('deribit,X,1,2,t1,buy'.split(','))).toBe('expected 8 columns, got 6');
    const b = fmt('1,100.5,0.1,10.05,1735689600000,true', 'BTCUSDT-trades-2025-01-02.csv');
    expect(b.parse('7,100.5,0.1,10.05,1735689600000,true'.split(','))).toMatchObject({ symbol: 'BTCUSDT', ts: 1735689600000, recv: 1735689600000, side: 'sell', id: '7' });
    expect(b.parse('7,100.5,0.1,10.05,1735689600000123,False'.split(','))).toMatchObject({ ts: 1735689600000.123, side: 'buy' });
    const s = fmt(SNAP5_HEAD);
    const row = s.parse(`deribit,X,1000,2000,${'101,1,100,2,102,3,99,4,'}${',,,,,,,,,,,'}`.split(','));
    expect(row).toMatchObject({ kind: 'snap', asks: [[101, 1], [102, 3]], bids: [[100, 2], [99, 4]] });
  });

  it('infers decimals from the digits shown', () => {
    expect(decimalsOf('104523.10')).toBe(2);
    expect(decimalsOf('104523.1')).toBe(1);
    expect(decimalsOf('0.00012')).toBe(5);
    expect(decimalsOf('1e-5')).toBe(5);
    expect(decimalsOf('2.5e-3')).toBe(4);
    expect(decimalsOf('100')).toBe(0);
  });
});

describe('the fast line reader', () => {
  it('reads numbers exactly as Number() does', async () => {
    const fc = (await import('fast-check')).default;
    const { decimalAt } = await import('../../server/feed/replay/fast-lines.js');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 15 }), (m, k) => {
        const s = k === 0 ? String(m) : `${String(m).padStart(k + 1, '0').slice(0, -k)}.${String(m).padStart(k + 1, '0').slice(-k)}`;
        return Object.is(decimalAt(`x,${s},y`, 2, 2 + s.length), Number(s));
      }),
      { numRuns: 2000 },
    );
    for (const s of ['1e-5', '-3.5', '0.1', '12.', '.5']) expect(decimalAt(s, 0, s.length), s).toBe(Number(s));
    expect(decimalAt('', 0, 0)).toBeNaN();
    expect(decimalAt('.', 0, 1)).toBeNaN();
    expect(decimalAt('abc', 0, 3)).toBeNaN();
  });

  it('gives the rows the column parser gives, and the same errors', async () => {
    const { fastTardis } = await import('../../server/feed/replay/fast-lines.js');
    const lines = ['deribit,BTC-PERPETUAL,1735689600000123,1735689600000456,t1,sell,104500.5,0.25', 'deribit,X,1,2,9,unknown,1.5,0', 'deribit,X,1,2,t1,buy,abc,1', 'deribit,X,1,2,t1,buy', 'deribit,X,a,2,t1,buy,1,1'];
    const slow = fmt(TRADES_HEAD);
    const fast = fastTardis('trades');
    for (const l of lines) expect(fast(l), l).toEqual(slow.parse(l.split(',')));
    const slowL2 = fmt(L2_HEAD);
    const fastL2 = fastTardis('incremental_book_L2');
    for (const l of ['deribit,X,1,2,true,bid,100.25,3', 'deribit,X,1,2,yes,bid,1,1', 'deribit,X,1,2,false,buy,1,1', 'deribit,X,1,2,false,ask,1,-1']) expect(fastL2(l), l).toEqual(slowL2.parse(l.split(',')));
  });
});
