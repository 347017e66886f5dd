/**
 * A Svelte attachment that flashes a cell when its value moves: green up, red down. At most
 * three flashes a second per cell, none when the user prefers reduced motion. The colour is
 * never the only signal: cells also show a sign or an arrow.
 *
 * The flash is a class switched on for FLASH_MS, not an animation: two repaints per flash
 * instead of one per frame. Flashes end in `expireFlashes`, which the dashboard calls on its
 * screen beat, so they end in a frame that repaints anyway.
 */
import type { Attachment } from 'svelte/attachments';
import { FlashGate } from './flash-gate.js';

export const FLASH_MS = 200;
/** A flash due to end within this much of a beat ends on it (frame times jitter). */
const SLACK_MS = 8;

/** Lit cells and when their flash ends (performance.now() ms). */
const lit = new Map<HTMLElement, number>();

let reduced: MediaQueryList | undefined;
const prefersReducedMotion = (): boolean => (reduced ??= matchMedia('(prefers-reduced-motion: reduce)')).matches;

/** Ends the flashes due by `now`; true while some are still lit. */
export function expireFlashes(now: number): boolean {
  for (const [el, until] of lit) {
    if (now + SLACK_MS < until && el.isConnected) continue;
    el.classList.remove('flash-up', 'flash-down');
    lit.delete(el);
  }
  return lit.size > 0;
}

/** `{@attach flash(() => value)}`: re-runs when `value` changes, flashes on a real move. */
export function flash(value: () => number | undefined): Attachment<HTMLElement> {
  const gate = new FlashGate();
  let prev: number | undefined;
  return (el) => {
    const v = value();
    const now = performance.now();
    if (prev !== undefined && v !== undefined && v !== prev && !prefersReducedMotion() && gate.allow(now)) {
      el.classList.remove('flash-up', 'flash-down');
      el.classList.add(v > prev ? 'flash-up' : 'flash-down');
      lit.set(el, now + FLASH_MS);
    }
    prev = v;
  };
}
