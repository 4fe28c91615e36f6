// Looks for text in every byte of every file under a folder: the files as they are, and gzip files inflated too
// (an archive object's lines are compressed, so their raw bytes never show the text).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Every file under `root` (recursively) whose bytes, or inflated bytes for `.gz`, contain one of `texts`: `file: text`. */
export async function filesHolding(root: string, texts: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const needles = texts.map((t) => Buffer.from(t, 'utf8'));
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      continue; // removed meanwhile (a staging file)
    }
    const views = [bytes];
    if (entry.name.endsWith('.gz')) views.push(gunzipSync(bytes));
    for (const [i, needle] of needles.entries()) {
      if (views.some((v) => v.includes(needle))) found.push(`${path.relative(root, file)}: ${texts[i]}`);
    }
  }
  return found;
}
