/**
 * Which layout the dashboard takes at a width, and which panels it shows as tabs. Pure; the
 * width comes in (state/layout.svelte.ts follows the window).
 */

/** wide >= 1280 px: every panel at once; medium 768-1279: book, trades and comparison in tabs; narrow < 768: one column of tabs. */
export type LayoutMode = 'wide' | 'medium' | 'narrow';

export const MEDIUM_MIN = 768;
export const WIDE_MIN = 1280;
/** The comparison panel (developer content) opens by default from this width; below, collapsed. */
export const COMPARE_OPEN_MIN = 1440;

export function layoutFor(width: number): LayoutMode {
  return width >= WIDE_MIN ? 'wide' : width >= MEDIUM_MIN ? 'medium' : 'narrow';
}

export type PanelId = 'watch' | 'chart' | 'book' | 'tape' | 'compare';

export const PANEL_NAMES: Record<PanelId, string> = {
  watch: 'Watchlist', chart: 'Chart', book: 'Book', tape: 'Trades', compare: 'Compare',
};

/** The panels shown as tabs in `mode`, in order (none in wide). */
export function tabsFor(mode: LayoutMode): readonly PanelId[] {
  return mode === 'wide' ? [] : mode === 'medium' ? ['book', 'tape', 'compare'] : ['watch', 'chart', 'book', 'tape', 'compare'];
}

/**
 * The tab to show in `mode` given the one last chosen: it stays when `mode` has it; otherwise
 * the mode's first tab (moving narrow -> medium on the chart tab shows the book tab; the chart
 * is on screen anyway).
 */
export function tabIn(mode: LayoutMode, chosen: PanelId): PanelId | undefined {
  const tabs = tabsFor(mode);
  if (!tabs.length) return undefined;
  return tabs.includes(chosen) ? chosen : tabs[0];
}

/** Whether `panel` is on screen in `mode` with `tab` the shown tab. */
export function panelShown(mode: LayoutMode, tab: PanelId | undefined, panel: PanelId): boolean {
  const tabs = tabsFor(mode);
  return !tabs.includes(panel) || tab === panel;
}
