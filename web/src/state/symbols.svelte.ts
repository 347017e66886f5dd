/** The symbols the server serves (`/api/symbols`), loaded once, with lookups by symbol. */
import type { SymbolInfo } from '../../../shared/protocol.js';
import { fetchSymbols, UnauthorizedError } from '../lib/api.js';

export class SymbolDirectory {
  #list = $state.raw<SymbolInfo[]>([]);
  #by = new Map<string, SymbolInfo>();
  #error = $state('');
  #unauthorized = $state(false);

  get list(): readonly SymbolInfo[] {
    return this.#list;
  }
  get error(): string {
    return this.#error;
  }
  /** The server wants a token (or a valid one). */
  get unauthorized(): boolean {
    return this.#unauthorized;
  }

  /** The symbol's info; undefined until loaded or when not served. */
  info(symbol: string): SymbolInfo | undefined {
    // Read the reactive list so callers update once it loads.
    return this.#list.length ? this.#by.get(symbol) : undefined;
  }

  /** Decimals to show for `symbol` (2 until known). */
  decimals(symbol: string): number {
    return this.info(symbol)?.decimals ?? 2;
  }

  /** Loads the list, retrying every 2 s until the server answers (not after a 401). */
  async load(signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted) {
      try {
        const list = await fetchSymbols(signal);
        this.#by = new Map(list.map((s) => [s.symbol, s]));
        this.#list = list;
        this.#error = '';
        return;
      } catch (err) {
        if (signal?.aborted) return;
        this.#error = (err as Error).message;
        if (err instanceof UnauthorizedError) {
          this.#unauthorized = true;
          return; // retrying will not help until a token is given
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }
}
