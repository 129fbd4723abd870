import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// The admin page is served by keyscope itself at /ui (src/http/ui-routes.ts), from dist/ui.
export default defineConfig({
  root: here,
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // Chromium, Firefox and Safari all preload modules; the polyfill would only add code.
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
});
