import type { Locator, Page } from 'playwright-core';
import { NARROW, WIDE } from './browser.js';

// The browser globals the page functions below touch (the tests compile without the DOM library).
declare const document: { activeElement: unknown };

export const isFocused = (locator: Locator) => locator.evaluate((el) => el === el.ownerDocument.activeElement);

/** The focused control's outline: the focus ring the stylesheet draws (`solid`), or `none`. */
export const outlineOf = (locator: Locator) =>
  locator.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).outlineStyle ?? 'none');

/** Presses Tab until `target` has focus; fails when it is not reached within `max` presses. */
export async function tabTo(page: Page, target: Locator, max = 40): Promise<number> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab');
    if (await isFocused(target)) return presses;
  }
  const focused = await page.evaluate(() => String((document.activeElement as { outerHTML?: string })?.outerHTML));
  throw new Error(`Tab did not reach ${target} in ${max} presses (focus on ${focused.slice(0, 120)})`);
}

/**
 * At 390 pixels every main navigation link lies inside the viewport and follows when tapped;
 * `to` is the link to follow and `heading` the page it leads to.
 */
export async function navigateAt390(page: Page, to: string, heading: string): Promise<void> {
  await page.setViewportSize(NARROW);
  try {
    const nav = page.getByRole('navigation', { name: 'Main' });
    const links = nav.getByRole('link');
    const count = await links.count();
    expect(count).toBeGreaterThan(1);
    for (let i = 0; i < count; i++) {
      const box = await links.nth(i).boundingBox();
      expect(box).not.toBeNull();
      expect({ link: await links.nth(i).innerText(), right: Math.ceil(box!.x + box!.width) <= NARROW.width }).toEqual({
        link: await links.nth(i).innerText(),
        right: true,
      });
    }
    await nav.getByRole('link', { name: to, exact: true }).click();
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  } finally {
    await page.setViewportSize(WIDE);
  }
}
