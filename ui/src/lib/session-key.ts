/**
 * The signed-in key lives in sessionStorage only: it leaves with the tab, is never sent as a
 * cookie, and is not shared with other tabs the way localStorage would be.
 */
const STORAGE_NAME = 'keyscope.apiKey';

export const sessionKey = {
  read(): string | null {
    return sessionStorage.getItem(STORAGE_NAME);
  },
  keep(token: string): void {
    sessionStorage.setItem(STORAGE_NAME, token);
  },
  forget(): void {
    sessionStorage.removeItem(STORAGE_NAME);
  },
};
