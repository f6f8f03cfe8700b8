/**
 * The UI font's faces (src/renderer/src/styles/fonts.css): the Latin face is a family of its
 * own, first in --font-sans, so the first screen needs one font file; every other subset of the
 * package is declared under the fallback family with the package's own file and unicode-range
 * (a new package version with other subsets or ranges fails here, not as missing glyphs).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PACKAGE = 'node_modules/@fontsource-variable/inter';
const FONTS_CSS = 'src/renderer/src/styles/fonts.css';
const LATIN_FAMILY = 'Inter Latin';
const FALLBACK_FAMILY = 'Inter Variable';

interface Face {
  family: string;
  src: string;
  format: string;
  unicodeRange: string;
  weight: string;
  style: string;
  display: string;
}

/** The @font-face rules of a style sheet (comments removed), by property. */
function fontFaces(css: string): Face[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  return [...text.matchAll(/@font-face\s*\{([^}]*)\}/g)].map((match) => {
    const properties = new Map<string, string>();
    for (const declaration of match[1]!.split(';')) {
      const colon = declaration.indexOf(':');
      if (colon < 0) continue;
      properties.set(
        declaration.slice(0, colon).trim(),
        declaration
          .slice(colon + 1)
          .replace(/\s+/g, ' ')
          .trim(),
      );
    }
    const src = /^url\((['"]?)([^'")]+)\1\)\s*format\((['"])([^'"]+)\3\)$/.exec(
      properties.get('src') ?? '',
    );
    return {
      family: (properties.get('font-family') ?? '').replace(/^['"]|['"]$/g, ''),
      src: src?.[2] ?? `(unreadable src: ${properties.get('src')})`,
      format: src?.[4] ?? '',
      unicodeRange: (properties.get('unicode-range') ?? '').replace(/\s+/g, ''),
      weight: properties.get('font-weight') ?? '',
      style: properties.get('font-style') ?? '',
      display: properties.get('font-display') ?? '',
    };
  });
}

/** The package's subsets and their ranges, as it publishes them (unicode.json). */
const subsets = JSON.parse(readFileSync(join(PACKAGE, 'unicode.json'), 'utf8')) as Record<
  string,
  string
>;
const faces = fontFaces(readFileSync(FONTS_CSS, 'utf8'));
const fileOf = (subset: string): string =>
  `@fontsource-variable/inter/files/inter-${subset}-wght-normal.woff2`;

describe('the UI font faces (styles/fonts.css)', () => {
  it('gives the Latin face a family of its own: one face, the Latin file and range', () => {
    const latin = faces.filter((face) => face.family === LATIN_FAMILY);
    expect(latin).toHaveLength(1);
    expect(latin[0]).toMatchObject({
      src: fileOf('latin'),
      format: 'woff2-variations',
      unicodeRange: subsets.latin!.replace(/\s+/g, ''),
      weight: '100 900',
      style: 'normal',
    });
  });

  it('declares every other subset of the package under the fallback family, by unicode-range', () => {
    const others = Object.keys(subsets).filter((subset) => subset !== 'latin');
    expect(others.length).toBeGreaterThanOrEqual(5);
    const fallback = faces.filter((face) => face.family === FALLBACK_FAMILY);
    expect(fallback.map((face) => face.src).sort()).toEqual(others.map(fileOf).sort());
    for (const subset of others) {
      const face = fallback.find((item) => item.src === fileOf(subset));
      expect(face, subset).toMatchObject({
        format: 'woff2-variations',
        unicodeRange: subsets[subset]!.replace(/\s+/g, ''),
        weight: '100 900',
        style: 'normal',
      });
    }
    // Only these two families, and no face without a range (it would be fetched for any text).
    expect(faces).toHaveLength(others.length + 1);
    for (const face of faces) expect(face.unicodeRange, face.src).not.toBe('');
  });

  it('names files the package has, in its exports', () => {
    for (const face of faces) {
      const file = join('node_modules', face.src);
      expect(existsSync(file), file).toBe(true);
      expect(statSync(file).size, file).toBeGreaterThan(5_000);
    }
  });

  it('shows text while a fallback subset loads instead of hiding it', () => {
    for (const face of faces) expect(face.display, face.src).toBe('swap');
  });
});

describe('the faces in use', () => {
  it('puts the Latin family first in --font-sans, then the fallback family, then system fonts', () => {
    const tokens = readFileSync('src/renderer/src/styles/tokens.css', 'utf8');
    const stack = /--font-sans:\s*([^;]+);/.exec(tokens)?.[1]?.replace(/\s+/g, ' ').trim();
    expect(stack).toMatch(new RegExp(`^'${LATIN_FAMILY}', '${FALLBACK_FAMILY}', system-ui,`));
  });

  it("loads the faces from fonts.css only, never the package's own style sheets", () => {
    const main = readFileSync('src/renderer/src/main.tsx', 'utf8');
    expect(main).toMatch(/^import '\.\/styles\/fonts\.css';$/m);
    // The decode started early is the Latin family's (the one the first screen needs).
    expect(main).toContain(`document.fonts?.load('1em "${LATIN_FAMILY}"')`);
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? sources(join(dir, entry.name))
          : /\.(tsx?|css)$/.test(entry.name)
            ? [join(dir, entry.name)]
            : [],
      );
    const importing = sources('src/renderer')
      .filter((file) => file !== FONTS_CSS)
      .filter((file) => readFileSync(file, 'utf8').includes('@fontsource'));
    expect(importing).toEqual([]);
  });

  it('preloads the Latin file in the build (the name electron.vite.config.ts looks for)', () => {
    const config = readFileSync('electron.vite.config.ts', 'utf8');
    expect(config).toContain(String.raw`/^assets\/inter-latin-wght-normal-.*\.woff2$/`);
    expect(fileOf('latin')).toMatch(/\/inter-latin-wght-normal\.woff2$/);
  });
});
