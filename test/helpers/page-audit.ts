/**
 * Checks of a page's layout and accessibility in real Chromium: axe-core run in the page,
 * overlapping panels, controls out of reach or covered, touch targets. The in-page scripts are
 * strings so that no transpiler helper leaks into the page.
 */
import { createRequire } from 'node:module';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { watchConsole } from './browser.js';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The layouts the dashboard is tested at: two laptop widths and a phone (mobile emulation). */
export const VIEWPORTS = {
  wide: { viewport: { width: 1440, height: 900 } },
  medium: { viewport: { width: 1024, height: 768 } },
  narrow: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
} satisfies Record<string, BrowserContextOptions>;

/**
 * Opens `url` in a fresh context with `options` (a VIEWPORTS entry). CSP is bypassed so that
 * axe-core can be injected: for tests only, the server's policy stays as it is.
 */
export async function openIn(browser: Browser, url: string, options: BrowserContextOptions): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ bypassCSP: true, ...options });
  const page = await context.newPage();
  const { errors } = watchConsole(page);
  await page.goto(url);
  return { page, errors };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core over the page (WCAG 2.x A/AA and best practices); every violation found. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  })))`) as Promise<AxeViolation[]>;
}

/** Pairs of `selector` elements on screen whose boxes overlap by more than a pixel. */
export function overlappingBoxes(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(`(() => {
    const els = [...document.querySelectorAll(${JSON.stringify(selector)})].filter((e) => e.checkVisibility());
    const name = (e) => e.dataset.testid || e.id || e.tagName;
    const out = [];
    for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
      const a = els[i].getBoundingClientRect(), b = els[j].getBoundingClientRect();
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) out.push(name(els[i]) + ' overlaps ' + name(els[j]));
    }
    return out;
  })()`) as Promise<string[]>;
}

/**
 * Visible buttons, selects and inputs that cannot be used where they are: outside the viewport
 * without a scrollable panel around them that is inside it, or covered by another element at
 * their centre. Only those inside `within` (a selector) when given. Each returned as a description.
 */
export function unreachableControls(page: Page, within?: string): Promise<string[]> {
  return page.evaluate(`(() => {
    const root = ${within ? `document.querySelector(${JSON.stringify(within)})` : 'null'};
    const vw = innerWidth, vh = innerHeight;
    const inside = (r) => r.left >= -0.5 && r.top >= -0.5 && r.right <= vw + 0.5 && r.bottom <= vh + 0.5;
    const scroller = (e) => {
      for (let p = e.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (/(auto|scroll)/.test(s.overflowY + s.overflowX) && (p.scrollHeight > p.clientHeight || p.scrollWidth > p.clientWidth)) return p;
      }
      return undefined;
    };
    const out = [];
    for (const e of document.querySelectorAll('button, select, input')) {
      if (!e.checkVisibility({ visibilityProperty: true })) continue;
      if (root && !root.contains(e)) continue;
      const r = e.getBoundingClientRect();
      const name = e.dataset.testid || e.getAttribute('aria-label') || e.textContent.trim() || e.tagName;
      const s = scroller(e);
      const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
      if (s) {
        // Scrolled out of its panel: reachable when the panel itself is on screen.
        const sr = s.getBoundingClientRect();
        if (cx < sr.left || cx > sr.right || cy < sr.top || cy > sr.bottom) {
          if (!inside(sr)) out.push(name + ' is in a panel off screen');
          continue;
        }
      }
      if (!inside(r)) {
        out.push(name + ' is off screen');
        continue;
      }
      const hit = document.elementFromPoint(cx, cy);
      if (!hit || !(hit === e || e.contains(hit) || (e.labels && [...e.labels].some((l) => l.contains(hit))))) {
        out.push(name + ' is covered by ' + (hit ? (hit.dataset.testid || hit.className || hit.tagName) : 'nothing'));
      }
    }
    return out;
  })()`) as Promise<string[]>;
}

/** Visible buttons, selects, inputs and tabs smaller than `min` px either way (touch targets). */
export function smallTargets(page: Page, min = 44): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('button, select, input, [role="tab"]')]
    .filter((e) => e.checkVisibility({ visibilityProperty: true }))
    .map((e) => [e.dataset.testid || e.getAttribute('aria-label') || e.textContent.trim(), e.getBoundingClientRect()])
    .filter(([, r]) => r.width < ${min} - 0.01 || r.height < ${min} - 0.01)
    .map(([n, r]) => n + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))`) as Promise<string[]>;
}
