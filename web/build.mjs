// Builds the Assoc web hub into dist/ with esbuild.
//
//   node build.mjs            # writes dist/ (what `make web` runs)
//   node build.mjs --check    # builds into a temporary folder and fails
//                             # when it differs from the committed dist/
//
// dist/index.html is the only HTML page (the hub and the sheet are routes of
// one single-page app); every script and style sheet goes to dist/assets/
// under a content-hashed name, so the Go server can let browsers cache them
// for good. The bundle is deterministic: the same sources and node_modules
// give the same bytes.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'assoc-web-')) : join(here, 'dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { main: 'src/main.js' },
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'linked',
  charset: 'utf8',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  publicPath: '/assets',
  metafile: true,
  logLevel: 'warning',
  define: {
    'process.env.NODE_ENV': '"production"',
  },
  loader: { '.svg': 'file' },
});
if (result.errors.length) {
  process.exit(1);
}

// The entry's hashed names go into index.html.
let mainJS = '';
let mainCSS = '';
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  if (info.entryPoint === 'src/main.js') {
    mainJS = '/' + relative(out, join(here, file)).split('\\').join('/');
    if (info.cssBundle) {
      mainCSS = '/' + relative(out, join(here, info.cssBundle)).split('\\').join('/');
    }
  }
}
if (!mainJS || !mainCSS) {
  console.error('build: esbuild did not report the entry script and its style sheet');
  process.exit(1);
}
const html = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replaceAll('%MAIN_JS%', mainJS)
  .replaceAll('%MAIN_CSS%', mainCSS);
writeFileSync(join(out, 'index.html'), html);
writeFileSync(join(out, 'favicon.svg'), readFileSync(join(here, 'src/favicon.svg')));

// The licences of the npm packages in the bundle, served beside it; the
// licence comments esbuild found inside them are in assets/*.LEGAL.txt.
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
let notices = 'Third-party software in the Assoc web hub bundle\n' +
  '(the licence comments found inside these packages are in assets/*.LEGAL.txt)\n';
for (const name of Object.keys(pkg.dependencies).sort()) {
  const dir = join(here, 'node_modules', name);
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  notices += `\n==== ${name}@${meta.version} (${meta.license}) ====\n\n`;
  notices += readFileSync(join(dir, 'LICENSE'), 'utf8').trim() + '\n';
}
writeFileSync(join(out, 'THIRD-PARTY-NOTICES.txt'), notices);

// A size report, and the check against the committed bundle.
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
}
const files = walk(out).sort();
let raw = 0;
let gz = 0;
for (const f of files) {
  const b = readFileSync(f);
  raw += b.length;
  gz += gzipSync(b, { level: 9 }).length;
}
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`build: ${files.length} files, ${kib(raw)} (${kib(gz)} gzipped) in ${relative(here, out) || out}`);

if (check) {
  const committed = join(here, 'dist');
  const digest = (root) => {
    const h = createHash('sha256');
    let names = [];
    try {
      statSync(root);
      names = walk(root).map((f) => relative(root, f)).sort();
    } catch {
      return '';
    }
    for (const n of names) {
      h.update(n + '\0');
      h.update(readFileSync(join(root, n)));
    }
    return h.digest('hex');
  };
  const same = digest(out) === digest(committed);
  rmSync(out, { recursive: true, force: true });
  if (!same) {
    console.error('build: web/dist is out of date with web/src and package-lock.json: run `make web` and commit web/dist');
    process.exit(1);
  }
  console.log('build: web/dist is up to date');
}
