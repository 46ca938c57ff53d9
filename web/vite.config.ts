import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The account console. Built into web/dist and served by the identity service at /account (same
 * origin, cookie transport). The dev server proxies /graphql to a service running on :4000, so
 * the page and the API share the dev server's origin there too.
 */
export default defineConfig({
  base: '/account/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Every script and style comes from a file: the service's Content-Security-Policy allows no
    // inline script or style, so nothing may be inlined as a data: URL either.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: { '/graphql': { target: process.env.API_URL ?? 'http://localhost:4000', changeOrigin: false } },
  },
});
