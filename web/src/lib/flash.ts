/**
 * A Svelte attachment that flashes a cell when its value moves: green up, red down. At most
 * three flashes a second per cell, none when the user prefers reduced motion. The colour is
 * never the only signal: cells also show a sign or an arrow.
 *
 * The flash is a class switched on for FLASH_MS, not an animation: two repaints per flash
 * instead of one per frame, which matters with dozens of cells moving at once.
 */
import type { Attachment } from 'svelte/attachments';
import { FlashGate } from './flash-gate.js';

export const FLASH_MS = 220;

let reduced: MediaQueryList | undefined;
const prefersReducedMotion = (): boolean => (reduced ??= matchMedia('(prefers-reduced-motion: reduce)')).matches;

/** `{@attach flash(() => value)}`: re-runs when `value` changes, flashes on a real move. */
export function flash(value: () => number | undefined): Attachment<HTMLElement> {
  const gate = new FlashGate();
  let prev: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (el) => {
    const v = value();
    if (prev !== undefined && v !== undefined && v !== prev && !prefersReducedMotion() && gate.allow(performance.now())) {
      const cls = v > prev ? 'flash-up' : 'flash-down';
      el.classList.remove('flash-up', 'flash-down');
      el.classList.add(cls);
      clearTimeout(timer);
      timer = setTimeout(() => el.classList.remove(cls), FLASH_MS);
    }
    prev = v;
  };
}
