import { describe, expect, it } from 'vitest';
import { layoutFor, panelShown, tabIn, tabsFor } from '../../web/src/lib/layout.js';
import { GLOBAL_SHORTCUTS, shortcutFor } from '../../web/src/lib/shortcuts.js';

describe('layoutFor', () => {
  it('is wide from 1280 px, medium from 768, narrow below', () => {
    expect([1440, 1280, 1279, 1024, 768, 767, 390].map(layoutFor)).toEqual(['wide', 'wide', 'medium', 'medium', 'medium', 'narrow', 'narrow']);
  });
});

describe('tabs', () => {
  it('shows every panel in wide, the lower three as tabs in medium, all five in narrow', () => {
    expect(tabsFor('wide')).toEqual([]);
    expect(tabsFor('medium')).toEqual(['book', 'tape', 'compare']);
    expect(tabsFor('narrow')).toEqual(['watch', 'chart', 'book', 'tape', 'compare']);
    expect(['watch', 'chart', 'book', 'tape', 'compare'].filter((p) => panelShown('medium', 'tape', p as never))).toEqual(['watch', 'chart', 'tape']);
    expect(['watch', 'chart', 'book', 'tape', 'compare'].filter((p) => panelShown('narrow', 'chart', p as never))).toEqual(['chart']);
  });

  it('keeps the chosen tab across a layout change when the new layout has it', () => {
    expect(tabIn('medium', 'tape')).toBe('tape');
    expect(tabIn('narrow', 'tape')).toBe('tape');
    expect(tabIn('medium', 'chart')).toBe('book');
    expect(tabIn('wide', 'tape')).toBeUndefined();
  });
});

describe('shortcutFor', () => {
  const plain = { ctrlKey: false, altKey: false, metaKey: false };
  const body = { tag: 'BODY', editable: false };
  it('maps each listed key to its action', () => {
    for (const [action, s] of Object.entries(GLOBAL_SHORTCUTS)) expect(shortcutFor({ key: s.key, ...plain }, body)).toBe(action);
    expect(shortcutFor({ key: 'x', ...plain }, body)).toBeUndefined();
  });
  it('ignores keys typed into fields and chords with modifiers', () => {
    expect(shortcutFor({ key: 'g', ...plain }, { tag: 'INPUT', editable: false })).toBeUndefined();
    expect(shortcutFor({ key: 'g', ...plain }, { tag: 'DIV', editable: true })).toBeUndefined();
    expect(shortcutFor({ key: 'g', ...plain, ctrlKey: true }, body)).toBeUndefined();
  });
});
