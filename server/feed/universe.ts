/**
 * The simulated instruments and their microstructure (tick grid, lot sizes, spreads, quote and
 * trade sizes). Pure: randomness comes in as an Rng.
 */
import type { Instrument, Quote } from './tick-source.js';
import { Rng } from './rng.js';

type Row = [symbol: string, name: string, kind: Instrument['kind'], price: number, vol: number, decimals: number, currency?: string];

// Mixed kinds first, so a small universe (the first N) still shows equities, ETFs, crypto and FX.
const ROWS: Row[] = [
  ['AAPL', 'Apple Inc.', 'equity', 232.1, 0.017, 2],
  ['MSFT', 'Microsoft Corp.', 'equity', 485.3, 0.016, 2],
  ['NVDA', 'NVIDIA Corp.', 'equity', 182.4, 0.03, 2],
  ['SPY', 'SPDR S&P 500 ETF Trust', 'etf', 672.5, 0.01, 2],
  ['BTC-USD', 'Bitcoin', 'crypto', 104500, 0.04, 2],
  ['EURUSD', 'Euro / US Dollar', 'fx', 1.1625, 0.005, 5],
  ['ETH-USD', 'Ether', 'crypto', 3850, 0.05, 2],
  ['AMZN', 'Amazon.com Inc.', 'equity', 228.6, 0.02, 2],
  ['QQQ', 'Invesco QQQ Trust', 'etf', 605.2, 0.013, 2],
  ['TSLA', 'Tesla Inc.', 'equity', 425.8, 0.038, 2],
  ['GOOGL', 'Alphabet Inc. Class A', 'equity', 248.3, 0.019, 2],
  ['META', 'Meta Platforms Inc.', 'equity', 715.4, 0.022, 2],
  ['USDJPY', 'US Dollar / Japanese Yen', 'fx', 152.35, 0.006, 3, 'JPY'],
  ['SOL-USD', 'Solana', 'crypto', 188.4, 0.058, 2],
  ['JPM', 'JPMorgan Chase & Co.', 'equity', 305.2, 0.015, 2],
  ['V', 'Visa Inc.', 'equity', 345.7, 0.015, 2],
  ['GBPUSD', 'British Pound / US Dollar', 'fx', 1.332, 0.005, 5],
  ['IWM', 'iShares Russell 2000 ETF', 'etf', 245.1, 0.015, 2],
  ['AVGO', 'Broadcom Inc.', 'equity', 345.9, 0.03, 2],
  ['XRP-USD', 'XRP', 'crypto', 2.45, 0.055, 4],
  ['MA', 'Mastercard Inc.', 'equity', 565.2, 0.015, 2],
  ['UNH', 'UnitedHealth Group Inc.', 'equity', 330.4, 0.022, 2],
  ['XOM', 'Exxon Mobil Corp.', 'equity', 116.2, 0.016, 2],
  ['LLY', 'Eli Lilly and Co.', 'equity', 810.5, 0.022, 2],
  ['COST', 'Costco Wholesale Corp.', 'equity', 935.1, 0.015, 2],
  ['WMT', 'Walmart Inc.', 'equity', 101.3, 0.015, 2],
  ['DIA', 'SPDR Dow Jones Industrial Average ETF', 'etf', 468.2, 0.01, 2],
  ['GLD', 'SPDR Gold Shares', 'etf', 378.4, 0.012, 2],
  ['TLT', 'iShares 20+ Year Treasury Bond ETF', 'etf', 90.15, 0.009, 2],
  ['DOGE-USD', 'Dogecoin', 'crypto', 0.1985, 0.06, 5],
  ['AUDUSD', 'Australian Dollar / US Dollar', 'fx', 0.655, 0.006, 5],
  ['NFLX', 'Netflix Inc.', 'equity', 112.4, 0.024, 2],
  ['AMD', 'Advanced Micro Devices Inc.', 'equity', 225.3, 0.035, 2],
  ['ORCL', 'Oracle Corp.', 'equity', 255.6, 0.028, 2],
  ['PLTR', 'Palantir Technologies Inc.', 'equity', 182.2, 0.04, 2],
  ['HD', 'The Home Depot Inc.', 'equity', 385.4, 0.015, 2],
  ['PG', 'Procter & Gamble Co.', 'equity', 152.3, 0.015, 2],
  ['KO', 'The Coca-Cola Co.', 'equity', 70.15, 0.015, 2],
  ['ADA-USD', 'Cardano', 'crypto', 0.705, 0.06, 4],
  ['AVAX-USD', 'Avalanche', 'crypto', 24.5, 0.06, 2],
  ['LINK-USD', 'Chainlink', 'crypto', 17.85, 0.058, 3],
  ['USDCHF', 'US Dollar / Swiss Franc', 'fx', 0.8015, 0.005, 5, 'CHF'],
  ['USDCAD', 'US Dollar / Canadian Dollar', 'fx', 1.398, 0.004, 5, 'CAD'],
  ['EEM', 'iShares MSCI Emerging Markets ETF', 'etf', 52.3, 0.012, 2],
  ['XLF', 'Financial Select Sector SPDR Fund', 'etf', 53.1, 0.012, 2],
  ['BAC', 'Bank of America Corp.', 'equity', 52.4, 0.018, 2],
  ['CRM', 'Salesforce Inc.', 'equity', 250.2, 0.022, 2],
  ['JNJ', 'Johnson & Johnson', 'equity', 190.5, 0.015, 2],
];

/** The hand-written instruments (48: 26 equities, 8 ETFs, 8 crypto pairs, 6 FX pairs), in a fixed order. */
export function defaultUniverse(): Instrument[] {
  return ROWS.map(([symbol, name, kind, price, vol, decimals, currency = 'USD']) => ({
    symbol, name, kind, price, vol, decimals, tickSize: 1 / 10 ** decimals, currency, // 10 ** -5 is 0.0000099...
    sizeDecimals: sizeDecimalsFor(kind, price),
  }));
}

/**
 * Decimals of book sizes: whole shares and whole FX units; for crypto three more than the trade
 * lot's (a lot is worth $1-$10), within 4..8 as exchanges quote coins (BTC 8, ETH 6, XRP 4).
 */
export function sizeDecimalsFor(kind: Instrument['kind'], price: number): number {
  if (kind !== 'crypto') return 0;
  return Math.min(8, Math.max(4, 3 - Math.floor(Math.log10(10 / price))));
}

/**
 * Exactly `count` instruments: the default universe first, then generated US equities named
 * SYM048, SYM049, ... (zero-based position, at least three digits). The default `rng` is fixed,
 * so the universe does not change with the feed's seed.
 */
export function buildUniverse(count: number, rng: Rng = new Rng('tickwire-universe')): Instrument[] {
  const out = defaultUniverse().slice(0, Math.max(0, count));
  for (let i = out.length; i < count; i++) {
    const price = Math.round(Math.exp(Math.log(8) + rng.next() * Math.log(600 / 8)) * 100) / 100;
    const id = String(i).padStart(3, '0');
    out.push({
      symbol: `SYM${id}`, name: `Synthetic Equity ${id}`, kind: 'equity', decimals: 2, tickSize: 0.01,
      currency: 'USD', price, vol: 0.015 + 0.025 * rng.next(), sizeDecimals: 0,
    });
  }
  return out;
}

// Full bid-ask spreads as fractions of price, at normal volatility.
const SPREAD = { equity: 0.4e-4, etf: 0.15e-4, crypto: 0.3e-4, fx: 0.2e-4 } as const;
const SIZE_SIGMA = 1; // lognormal dispersion of trade sizes

/** How one instrument trades: price grid, sizes and spread. A class: hot paths call it. */
export class Microstructure {
  readonly kind: Instrument['kind'];
  readonly tickSize: number;
  /** Ticks per unit of price: price p is p * ticksPerUnit ticks (not rounded). */
  readonly ticksPerUnit: number;
  /** Size increment of trades and volumes (shares, coins, base currency). */
  readonly lot: number;
  /** Expected trade size. */
  readonly meanTradeSize: number;
  /** The price grid: a tick is `tickUnits` units of 10^-decimals (fromTicks(n) is n * tickUnits / 10^decimals). */
  readonly decimals: number;
  readonly tickUnits: number;
  // Prices are integers of tickUnits / scale and sizes integers of lotMul / lotDiv: dividing
  // integers gives the exact decimal's double. Integer fields also keep V8 from deoptimizing
  // when instruments mix whole and fractional lots.
  private readonly scale: number;
  private readonly lotMul: number;
  private readonly lotDiv: number;
  private readonly median: number;

  constructor(inst: Instrument) {
    this.kind = inst.kind;
    this.tickSize = inst.tickSize;
    this.decimals = inst.decimals;
    this.scale = 10 ** inst.decimals;
    this.tickUnits = Math.max(1, Math.round(inst.tickSize * this.scale));
    this.ticksPerUnit = this.scale / this.tickUnits;
    const ref = inst.price;
    // Crypto lot: a power of ten worth about $1-$10; FX trades in 1,000 units of the base currency.
    const lotExp = inst.kind === 'crypto' ? Math.floor(Math.log10(10 / ref)) : inst.kind === 'fx' ? 3 : 0;
    this.lotMul = lotExp >= 0 ? 10 ** lotExp : 1;
    this.lotDiv = lotExp >= 0 ? 1 : 10 ** -lotExp;
    this.lot = this.lotMul / this.lotDiv;
    const notional = { equity: 6000, etf: 10_000, crypto: 1500, fx: 0 }[inst.kind];
    this.median = inst.kind === 'fx' ? 200_000 : notional / ref;
    this.meanTradeSize = this.median * Math.exp((SIZE_SIGMA * SIZE_SIGMA) / 2);
  }

  /** The price of `n` whole ticks, as the exact decimal's double (e.g. 23347 -> 233.47). */
  fromTicks(n: number): number {
    return (n * this.tickUnits) / this.scale;
  }

  /** `p` rounded to the tick grid as an exact decimal, never below one tick. */
  price(p: number): number {
    return this.fromTicks(Math.max(1, Math.round(p * this.ticksPerUnit)));
  }

  /** A volume rounded to the lot's decimals (no floating-point dust); may be 0. */
  volume(v: number): number {
    return Math.round(v * this.lotDiv) / this.lotDiv;
  }

  /** `q` rounded to whole lots, at least one lot. */
  size(q: number): number {
    return (Math.max(1, Math.round((q * this.lotDiv) / this.lotMul)) * this.lotMul) / this.lotDiv;
  }

  /** A trade size: lognormal around a typical notional for the kind. */
  tradeSize(rng: Rng): number {
    return this.size(this.median * Math.exp(SIZE_SIGMA * rng.normal()));
  }

  /** A displayed size: round lots of 100 shares, 1-5 million FX, a few trades' worth of crypto. */
  quoteSize(rng: Rng): number {
    if (this.kind === 'fx') return 1_000_000 * (1 + rng.int(5));
    if (this.kind === 'crypto') return this.size(5 * this.median * Math.exp(0.8 * rng.normal()));
    return 100 * (1 + rng.int(9));
  }

  /** A spread in whole ticks (>= 1) around `mid`, wider by `volMult` (1 = normal vol), with noise. */
  spreadTicks(mid: number, volMult: number, rng: Rng): number {
    return Math.max(1, Math.round(mid * this.ticksPerUnit * SPREAD[this.kind] * volMult * (0.75 + 0.5 * rng.next())));
  }

  /** The spread at normal volatility, fractional ticks: the scale of the book's level spacing. */
  typicalSpreadTicks(mid: number): number {
    return mid * this.ticksPerUnit * SPREAD[this.kind];
  }

  /** The median trade size (see tradeSize). */
  get medianTradeSize(): number {
    return this.median;
  }

  /** A quote around `mid`: spread >= 1 tick, wider by `volMult` (1 = normal vol); bid >= one tick. */
  quote(mid: number, volMult: number, rng: Rng): Quote {
    const m = mid * this.ticksPerUnit;
    const n = this.spreadTicks(mid, volMult, rng);
    // floor(m - n/2) keeps round(mid) inside [bid, ask].
    const bidT = Math.max(1, Math.floor(m - n / 2));
    return {
      bid: this.fromTicks(bidT),
      ask: this.fromTicks(bidT + n),
      bidSize: this.quoteSize(rng),
      askSize: this.quoteSize(rng),
    };
  }
}

/** The microstructure of `inst`. */
export const microstructure = (inst: Instrument): Microstructure => new Microstructure(inst);
