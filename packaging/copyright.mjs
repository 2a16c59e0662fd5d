// Prints /usr/share/doc/envirowatch/copyright: envirowatch's licence (MIT), then every npm package
// bundled in node_modules with the licence its package.json names (its own licence file is in its
// directory beside it). Usage: node packaging/copyright.mjs <node_modules>
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const modules = process.argv[2];
const packages = [];
for (const entry of readdirSync(modules)) {
  if (entry.startsWith('.')) continue;
  const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`) : [entry];
  for (const name of names) {
    const manifest = join(modules, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const { version, license } = JSON.parse(readFileSync(manifest, 'utf8'));
    packages.push(`  ${name} ${version}: ${typeof license === 'string' ? license : 'see its directory'}`);
  }
}

process.stdout.write(`envirowatch: networked environment sensor for server rooms, and its log analyzer

Copyright 2026 the envirowatch authors

License: MIT (Expat)

 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
 THE SOFTWARE.

Bundled in /usr/lib/envirowatch/node_modules (from the npm registry), each
under the licence its package.json names; each one's licence text is in its
directory. On Debian systems the complete text of the Apache License 2.0 is in
/usr/share/common-licenses/Apache-2.0.

${packages.sort().join('\n')}
`);
