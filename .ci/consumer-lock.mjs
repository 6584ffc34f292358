#!/usr/bin/env node
// Writes package.json and package-lock.json of a consumer repository that depends on a packed
// sigmatest tarball (and on vitest, for the vitest file `sigmatest init` writes), taking every
// other package's version and integrity from this repository's package-lock.json. With the npm
// cache that `npm ci` filled, `npm ci --offline` in that repository then installs without the
// network (npm needs the registry's metadata to resolve a dependency that no lock file pins).
//
//   node .ci/consumer-lock.mjs <consumer dir> <sigmatest tarball>
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const [dir, tarball] = process.argv.slice(2);
if (dir === undefined || tarball === undefined) {
  process.stderr.write('usage: node .ci/consumer-lock.mjs <consumer dir> <sigmatest tarball>\n');
  process.exit(2);
}
const here = resolve(import.meta.dirname, '..');
const own = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'));
const packages = lock.packages;

/** Node's resolution inside the lock: `name` required from the package at `from`. */
function locate(from, name) {
  let base = from;
  for (;;) {
    const at = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[at] !== undefined) return at;
    if (base === '') return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

const keep = new Map();
function visit(from, name, optional) {
  const at = locate(from, name);
  if (at === undefined) {
    if (optional) return;
    throw new Error(`${name} (required by ${from || 'the root'}) is not in package-lock.json`);
  }
  if (keep.has(at)) return;
  const { dev, devOptional, peer, ...entry } = packages[at];
  keep.set(at, entry);
  for (const d of Object.keys(entry.dependencies ?? {})) visit(at, d, false);
  for (const d of Object.keys(entry.optionalDependencies ?? {})) visit(at, d, true);
  for (const [d, v] of Object.entries(entry.peerDependencies ?? {})) if (!entry.peerDependenciesMeta?.[d]?.optional) visit(at, d, true);
}

const wanted = { ...own.dependencies, vitest: own.devDependencies.vitest };
for (const d of Object.keys(wanted)) visit('', d, false);

const tgz = resolve(tarball);
const spec = `file:${relative(resolve(dir), tgz)}`;
const integrity = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
const manifest = { name: 'rules-repo', version: '1.0.0', private: true, type: 'module', devDependencies: { sigmatest: spec, vitest: wanted.vitest } };
const consumerLock = {
  name: manifest.name,
  version: manifest.version,
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: manifest.name, version: manifest.version, devDependencies: manifest.devDependencies },
    'node_modules/sigmatest': {
      version: own.version,
      resolved: spec,
      integrity,
      dev: true,
      dependencies: own.dependencies,
      bin: own.bin,
      engines: own.engines,
      peerDependencies: own.peerDependencies,
      peerDependenciesMeta: own.peerDependenciesMeta,
    },
    ...Object.fromEntries([...keep].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, { ...v, dev: true }])),
  },
};
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(consumerLock, null, 2)}\n`);
process.stdout.write(`wrote ${dir}/package.json and package-lock.json (${keep.size + 1} packages)\n`);
