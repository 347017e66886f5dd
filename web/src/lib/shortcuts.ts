/**
 * The dashboard's keyboard shortcuts: one list, read by the key handler and by the `?` help
 * overlay, so the help cannot drift from what the keys do. Pure.
 */

export type ShortcutAction = 'help' | 'group' | 'search' | 'pause';

export interface Shortcut {
  keys: string;
  does: string;
}

/** Page-wide keys (ignored while typing in a field or with Ctrl/Alt/Meta held). */
export const GLOBAL_SHORTCUTS: Readonly<Record<ShortcutAction, Shortcut & { key: string }>> = {
  help: { key: '?', keys: '?', does: 'Show or hide this help' },
  search: { key: '/', keys: '/', does: 'Add a symbol (focus the search)' },
  group: { key: 'g', keys: 'g', does: 'Cycle the order book grouping step' },
  pause: { key: 'p', keys: 'p', does: 'Pause or resume the screen' },
};

/** Keys that work where the focus is. */
export const LOCAL_SHORTCUTS: readonly Shortcut[] = [
  { keys: '↑ ↓', does: 'Watchlist: move the selection' },
  { keys: 'Enter', does: 'Watchlist: show the focused symbol' },
  { keys: 'Del', does: 'Watchlist: remove the focused symbol' },
  { keys: '↑ ↓ Enter', does: 'Symbol search: choose a result' },
  { keys: 'Esc', does: 'Close the search, the menu or this help' },
  { keys: 'Tab', does: 'Move between controls' },
];

/** What a key press does, or undefined. `target` is the focused element's tag and its editability. */
export function shortcutFor(
  e: { key: string; ctrlKey: boolean; altKey: boolean; metaKey: boolean },
  target: { tag: string; editable: boolean },
): ShortcutAction | undefined {
  if (e.ctrlKey || e.altKey || e.metaKey) return undefined;
  if (target.editable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tag)) return undefined;
  for (const [action, s] of Object.entries(GLOBAL_SHORTCUTS) as [ShortcutAction, Shortcut & { key: string }][]) {
    if (e.key === s.key) return action;
  }
  return undefined;
}
