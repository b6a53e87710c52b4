/**
 * README's "MongoDB features in LoopBack 4" examples are the blocks of examples/readme/*.ts that
 * `npm run typecheck` compiles: each must appear in the README exactly, so neither drifts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const dir = join(root, 'examples', 'readme');

/** The `// README: name` ... `// README: end` blocks of a file, dedented. */
function blocks(source: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const marker = /^([ \t]*)\/\/ README: (\w+)\n([\s\S]*?)^[ \t]*\/\/ README: end\n/gm;
  for (const [, indent, name, body] of source.matchAll(marker)) {
    const lines = body.replace(/\n$/, '').split('\n');
    found.push([name, lines.map((line) => line.slice(indent.length)).join('\n')]);
  }
  return found;
}

const examples = readdirSync(dir)
  .filter((file) => file.endsWith('.ts'))
  .flatMap((file) => blocks(readFileSync(join(dir, file), 'utf8')).map(([n, b]) => [file, n, b]));

it('finds the marked examples', () => {
  expect(examples.length).toBeGreaterThanOrEqual(6);
});

it.each(examples)('README shows %s block %s unchanged', (_file, _name, block) => {
  expect(readme).toContain('```ts\n' + block + '\n```\n');
});
