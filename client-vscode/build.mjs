// Bundles the extension (Node, CommonJS, `vscode` external) and the chat webview (browser IIFE) with esbuild.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist');
const production = process.argv.includes('--production') || process.env.CI === 'true';
// dist/server (the published server) is left alone; the bundles are rebuilt from scratch.
for (const stale of ['webview', 'extension.js', 'extension.js.map']) rmSync(join(out, stale), { recursive: true, force: true });
mkdirSync(join(out, 'webview'), { recursive: true });

await Promise.all([
  build({
    entryPoints: [join(here, 'src', 'extension.ts')],
    outfile: join(out, 'extension.js'),
    bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode'], sourcemap: !production, minify: production, logLevel: 'warning',
  }),
  build({
    entryPoints: [join(here, 'src', 'chatView', 'webview', 'main.ts')],
    outfile: join(out, 'webview', 'chat.js'),
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022',
    sourcemap: !production, minify: production, logLevel: 'warning',
  }),
]);
copyFileSync(join(here, 'src', 'chatView', 'webview', 'chat.css'), join(out, 'webview', 'chat.css'));
console.log('built dist/extension.js and dist/webview/');
