#!/usr/bin/env node
// Checks that the include graph of src/ is exactly the module table of docs/ARCHITECTURE.md
// ("## Modules and dependencies": one line per module, `name  description  → dep, dep`, or
// "(depends on nothing)", or "→ everything"). A module may include only the modules its line
// names, and its line names only modules it includes, so the table cannot drift from the code.
// Modules are listed in dependency order: a module depends only on modules above it. Usage:
// `node scripts/check-modules.mjs [REPO_ROOT]`; exit 1 with one line per difference.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const doc = readFileSync(join(root, 'docs/ARCHITECTURE.md'), 'utf8');
const section = doc.split(/^## /m).find((s) => s.startsWith('Modules and dependencies'));
if (!section) {
  console.error('docs/ARCHITECTURE.md: no "## Modules and dependencies" section');
  process.exit(1);
}
const block = section.split('```')[1] ?? '';

// module -> Set of declared dependencies (null = everything)
const declared = new Map();
let last = null;
for (const line of block.split('\n')) {
  const m = /^([a-z_]+(?:\/[a-z_]+)?)\s+(.*)$/.exec(line);
  const arrow = line.indexOf('→');
  if (m) {
    last = m[1];
    declared.set(last, new Set());
  }
  if (last && arrow >= 0) {
    const deps = line.slice(arrow + 1).trim();
    declared.set(last, deps === 'everything' ? null
      : new Set(deps.split(',').map((d) => d.trim()).filter(Boolean)));
  }
}

// The module a source path belongs to: the longest declared name that prefixes it.
const names = [...declared.keys()].sort((a, b) => b.length - a.length);
const moduleOf = (path) => names.find((n) => path === n || path.startsWith(`${n}/`));

function* sources(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      yield* sources(path);
    } else if (/\.(cpp|hpp)$/.test(entry)) {
      yield path;
    }
  }
}

const actual = new Map([...declared.keys()].map((n) => [n, new Map()]));
const problems = [];
const src = join(root, 'src');
for (const file of sources(src)) {
  const rel = relative(src, file);
  const owner = moduleOf(rel);
  if (!owner) {
    problems.push(`src/${rel}: in no module of the table`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const [, target] of text.matchAll(/^#include "([^"]+)"/gm)) {
    const dep = moduleOf(target);
    if (!dep) {
      problems.push(`src/${rel}: includes "${target}", which is in no module of the table`);
    } else if (dep !== owner && !actual.get(owner).has(dep)) {
      actual.get(owner).set(dep, `src/${rel}`);
    }
  }
}

for (const [name, deps] of declared) {
  if (deps === null) {
    continue;
  }
  for (const [dep, where] of actual.get(name)) {
    if (!deps.has(dep)) {
      problems.push(`${where}: ${name} includes ${dep}, which its line in docs/ARCHITECTURE.md does not allow`);
    }
  }
  const order = [...declared.keys()];
  for (const dep of deps) {
    if (declared.has(dep) && order.indexOf(dep) > order.indexOf(name)) {
      problems.push(`docs/ARCHITECTURE.md: ${name} → ${dep}, but ${dep} is listed after ${name}`);
    }
    if (!declared.has(dep)) {
      problems.push(`docs/ARCHITECTURE.md: ${name} → ${dep}: no such module`);
    } else if (!actual.get(name).has(dep)) {
      problems.push(`docs/ARCHITECTURE.md: ${name} → ${dep}, but no file of ${name} includes ${dep}`);
    }
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`modules: ${declared.size} modules, include graph matches docs/ARCHITECTURE.md`);
