// Project rules the type checker cannot see: no focused tests, no oversized source files, no env reads outside config.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const files = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
const problems = [];
for (const file of files(path.join(root, 'src'))) {
  const text = readFileSync(file, 'utf8');
  const rel = path.relative(root, file);
  if (text.split('\n').length > 500) problems.push(`${rel}: over 500 lines; split it by responsibility`);
  if (/process\.env\b/.test(text) && !/src\/(config|cli\/users)\.ts$/.test(rel)) problems.push(`${rel}: reads process.env; only src/config.ts may`);
}
for (const file of files(path.join(root, 'test'))) {
  if (/\b(it|test|describe)\.only\(/.test(readFileSync(file, 'utf8'))) problems.push(`${path.relative(root, file)}: focused test (.only)`);
}
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);
