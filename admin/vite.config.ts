import { defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  base: '/admin/',
  build: { outDir: 'dist', emptyOutDir: true, modulePreload: { polyfill: false } },
});
