import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README's construct example is examples/construct-app.js, the app CI runs on the packed package
 * (scripts/check-packed-package.ts): what a user copies is what was synthesized.
 */
const ROOT = join(__dirname, '..', '..');

test('the README shows examples/construct-app.js as it is', () => {
  const example = readFileSync(join(ROOT, 'examples', 'construct-app.js'), 'utf8');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(readme).toContain(`\`\`\`js\n${example}\`\`\``);
});
