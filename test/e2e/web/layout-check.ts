// Measures, in the page, whether any table sticks out of its card and whether the page scrolls sideways.
import type { Page } from 'playwright-core';

export interface Overflow {
  readonly card: string;
  readonly table: string;
  readonly cardRight: number;
  readonly boxRight: number;
}

/**
 * Each table's visible box (the table, or the nearest scrolling or clipping element between it and its card) must
 * lie within its card; the document must be no wider than the window.
 */
export async function layoutProblems(page: Page): Promise<{ overflows: Overflow[]; pageWidth: number; windowWidth: number }> {
  return page.evaluate(() => {
    const overflows: Array<{ card: string; table: string; cardRight: number; boxRight: number }> = [];
    for (const table of Array.from(document.querySelectorAll('table'))) {
      const card = table.closest('.panel, .results');
      if (!card) continue;
      let box: Element = table;
      for (let el = table.parentElement; el && el !== card; el = el.parentElement) {
        const style = getComputedStyle(el);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) { box = el; break; }
      }
      const c = card.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      if (b.right > c.right + 1 || b.left < c.left - 1) {
        overflows.push({ card: card.getAttribute('data-testid') ?? card.className, table: table.className, cardRight: Math.round(c.right), boxRight: Math.round(b.right) });
      }
    }
    return { overflows, pageWidth: document.documentElement.scrollWidth, windowWidth: window.innerWidth };
  });
}
