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
