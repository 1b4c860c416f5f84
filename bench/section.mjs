// Writes one section of BENCHMARKS.md: the section starting with `heading` is replaced (or
// appended), the others are kept. Read and written at once, so benchmarks run one at a time.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const PATH = 'BENCHMARKS.md';
const HEADER = '# Benchmarks\n\nSpeed is measured here, never asserted in tests. This machine has 2 cores and is shared: figures are medians, compared with a baseline measured in the same run.\n\n';

export function writeBenchmarkSection(heading, section) {
  let doc = existsSync(PATH) ? readFileSync(PATH, 'utf8') : HEADER;
  const start = doc.indexOf(heading);
  if (start >= 0) {
    const next = doc.indexOf('\n## ', start + 1);
    // One blank line between sections, whatever the section's own text ends with.
    doc = doc.slice(0, start) + section.trimEnd() + '\n' + (next >= 0 ? '\n' + doc.slice(next + 1) : '');
  } else doc = doc.trimEnd() + '\n\n' + section;
  writeFileSync(PATH, doc);
  process.stdout.write(section + '\n');
}
