// Builds the dashboard into dist/web, served by `yagura serve` at `/`.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // The CSP forbids inline script and style, so nothing may be inlined into index.html.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
    // ECharts is most of the bundle; the whole app is one chunk of about 190 KB gzipped (limit: 400 KB).
    chunkSizeWarningLimit: 700,
  },
});
