/**
 * The layout the window's width calls for (lib/layout.ts), and the tab shown. Follows the
 * window through two media queries (the breakpoints), so a resize or a rotation switches the
 * layout at once and nothing else is lost: panels stay mounted, hidden when not shown.
 */
import { COMPARE_OPEN_MIN, layoutFor, MEDIUM_MIN, panelShown, tabIn, tabsFor, WIDE_MIN, type LayoutMode, type PanelId } from '../lib/layout.js';

export class LayoutState {
  #width = $state(typeof window === 'undefined' ? WIDE_MIN : window.innerWidth);
  #chosen = $state<PanelId>('watch');
  readonly mode: LayoutMode = $derived(layoutFor(this.#width));

  /** Wide enough for the comparison panel to open by default (lib/layout.ts). */
  get roomy(): boolean {
    return this.#width >= COMPARE_OPEN_MIN;
  }

  get tabs(): readonly PanelId[] {
    return tabsFor(this.mode);
  }
  /** The tab on screen, undefined in the wide layout (no tabs). */
  get tab(): PanelId | undefined {
    return tabIn(this.mode, this.#chosen);
  }
  set tab(p: PanelId) {
    this.#chosen = p;
  }

  shown(panel: PanelId): boolean {
    return panelShown(this.mode, this.tab, panel);
  }

  /** Follows the window's width from now on; returns the stop. */
  start(): () => void {
    const queries = [COMPARE_OPEN_MIN, WIDE_MIN, MEDIUM_MIN].map((w) => matchMedia(`(min-width: ${w}px)`));
    const update = () => (this.#width = window.innerWidth);
    for (const q of queries) q.addEventListener('change', update);
    update();
    return () => {
      for (const q of queries) q.removeEventListener('change', update);
    };
  }
}
