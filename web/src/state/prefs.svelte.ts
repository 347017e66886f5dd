/**
 * The user's choices: watchlist, selection, interval, transport, throttle, chart settings, pause. Every change
 * is saved at once (localStorage; the selection also in the URL). Pause is not saved: a
 * reload always starts live.
 */
import type { Interval } from '../../../shared/protocol.js';
import type { TransportChoice } from '../../../shared/client/types.js';
import {
  hrefWithSelection, loadPrefs, savePrefs, withSymbol, withoutSymbol, type Prefs, type Throttle,
} from '../lib/prefs-store.js';
import { defaultChartPrefs, type ChartPrefs } from '../lib/chart-prefs.js';

const storage = (): Storage | undefined => {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
};

export class PrefsState {
  #watchlist = $state.raw<string[]>([]);
  #selected = $state('');
  #interval = $state<Interval>('1m');
  #transport = $state<TransportChoice>('auto');
  #throttle = $state<Throttle>(0);
  #paused = $state(false);
  #chart = $state.raw<ChartPrefs>(defaultChartPrefs());
  #compareOpen = $state<boolean | undefined>();

  constructor() {
    const p = loadPrefs(storage(), location.search);
    this.#watchlist = p.watchlist;
    this.#selected = p.selected;
    this.#interval = p.interval;
    this.#transport = p.transport;
    this.#throttle = p.throttle;
    this.#chart = p.chart;
    this.#compareOpen = p.compareOpen;
    this.#writeUrl();
  }

  get watchlist(): readonly string[] {
    return this.#watchlist;
  }
  get selected(): string {
    return this.#selected;
  }
  get interval(): Interval {
    return this.#interval;
  }
  set interval(v: Interval) {
    this.#interval = v;
    this.#save();
  }
  get transport(): TransportChoice {
    return this.#transport;
  }
  set transport(v: TransportChoice) {
    this.#transport = v;
    this.#save();
  }
  get throttle(): Throttle {
    return this.#throttle;
  }
  set throttle(v: Throttle) {
    this.#throttle = v;
    this.#save();
  }
  /** The chart's settings (style, overlays, scale, time zone); replaced whole, never mutated. */
  get chart(): ChartPrefs {
    return this.#chart;
  }
  set chart(v: ChartPrefs) {
    this.#chart = v;
    this.#save();
  }
  /** The comparison panel opened or collapsed by hand; undefined: by the screen's width. */
  get compareOpen(): boolean | undefined {
    return this.#compareOpen;
  }
  set compareOpen(v: boolean | undefined) {
    this.#compareOpen = v;
    this.#save();
  }
  get paused(): boolean {
    return this.#paused;
  }
  set paused(v: boolean) {
    this.#paused = v;
  }

  /** Adds `symbol` to the watchlist (no duplicates) and selects it. */
  add(symbol: string): void {
    this.#watchlist = withSymbol(this.#watchlist, symbol);
    this.select(symbol);
  }

  /** Removes `symbol`; when it was selected, its neighbour is selected. */
  remove(symbol: string): void {
    const i = this.#watchlist.indexOf(symbol);
    this.#watchlist = withoutSymbol(this.#watchlist, symbol);
    if (this.#selected === symbol && this.#watchlist.length) {
      this.#selected = this.#watchlist[Math.min(i, this.#watchlist.length - 1)];
      this.#writeUrl();
    }
    this.#save();
  }

  select(symbol: string): void {
    this.#selected = symbol;
    this.#writeUrl();
    this.#save();
  }

  #save(): void {
    const p: Prefs = {
      watchlist: this.#watchlist, selected: this.#selected, interval: this.#interval, transport: this.#transport, throttle: this.#throttle, chart: this.#chart, compareOpen: this.#compareOpen,
    };
    savePrefs(storage(), p);
  }

  #writeUrl(): void {
    if (!this.#selected) return;
    const href = hrefWithSelection(location.href, this.#selected);
    if (href !== location.href) history.replaceState(history.state, '', href);
  }
}
