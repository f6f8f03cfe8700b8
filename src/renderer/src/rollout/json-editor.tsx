/**
 * The raw JSON editor of the routing config: CodeMirror 6 with line numbers, JSON highlighting,
 * bracket matching, search, undo, and the parse error marked where it is (a red underline, a
 * marker in the gutter and "line 12, column 5" under the editor).
 *
 * Long lines wrap (a flag's description, a long model id, a whole config pasted on one line ran
 * off to the right, out of sight): the numbers, the gutter marker and "line N" still count the
 * document's lines, a wrapped line's number and marker sit at its first row, and the underline
 * is drawn on the row where the error is.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import {
  bracketMatching,
  foldGutter,
  HighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { linter, lintGutter } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { tags } from '@lezer/highlight';
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { useEffect, useRef, type ReactElement } from 'react';

/** Where a JSON.parse error is, as line and column (1-based), from its "position N". */
export function jsonErrorPlace(
  text: string,
  message: string,
): { line: number; column: number } | null {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /position (\d+)/.exec(message);
  const offset = position
    ? Number(position[1])
    : /end of (JSON )?input/i.test(message)
      ? text.length
      : null;
  if (offset === null) return null;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * JSON's colours from the palette (--syntax-* in styles/tokens.css, light and dark): CodeMirror's
 * default style is made for a white page, and its dark red strings and green numbers were
 * unreadable on the dark theme's surface (contrast 2.3 and 2.5).
 */
const jsonHighlight = HighlightStyle.define([
  { tag: tags.propertyName, color: 'var(--syntax-property)' },
  { tag: tags.string, color: 'var(--syntax-string)' },
  { tag: tags.number, color: 'var(--syntax-number)' },
  { tag: [tags.bool, tags.null], color: 'var(--syntax-atom)' },
  { tag: tags.invalid, color: 'var(--color-danger)' },
]);

const theme = EditorView.theme({
  '&': {
    fontSize: '12.5px',
    border: '1px solid var(--color-border-strong)',
    borderRadius: 'var(--radius-md)',
    background: 'var(--color-surface)',
    color: 'var(--color-text)',
    height: '520px',
  },
  '&.cm-focused': { outline: 'none', boxShadow: 'var(--focus-ring)' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.55' },
  '.cm-gutters': {
    background: 'var(--color-surface-sunken)',
    color: 'var(--color-text-muted)',
    border: 'none',
    borderRight: '1px solid var(--color-border)',
  },
  '.cm-activeLine': { background: 'color-mix(in srgb, var(--color-accent-soft) 45%, transparent)' },
  '.cm-activeLineGutter': { background: 'var(--color-accent-soft)' },
  '.cm-cursor': { borderLeftColor: 'var(--color-text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': {
    background: 'color-mix(in srgb, var(--color-accent) 25%, transparent)',
  },
  '.cm-tooltip': {
    background: 'var(--color-surface)',
    border: '1px solid var(--color-border)',
    color: 'var(--color-text)',
  },
});

export function JsonEditor({
  value,
  onChange,
  label,
  invalid,
  testId,
}: {
  value: string;
  onChange: (text: string) => void;
  label: string;
  invalid: boolean;
  testId: string;
}): ReactElement {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(onChange);
  latest.current = onChange;
  /** True while the text is replaced from outside: that is not an edit by the user. */
  const applying = useRef(false);

  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          lintGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          syntaxHighlighting(jsonHighlight),
          json(),
          linter(jsonParseLinter(), { delay: 200 }),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          theme,
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({
            'aria-label': label,
            'data-testid': testId,
            spellcheck: 'false',
          }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged && !applying.current) {
              latest.current(update.state.doc.toString());
            }
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once; later values arrive through the effect below.
  }, []);

  // A change from elsewhere (the tiers or flags tab) replaces the text.
  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current !== value) {
      applying.current = true;
      try {
        editor.dispatch({ changes: { from: 0, to: current.length, insert: value } });
      } finally {
        applying.current = false;
      }
    }
  }, [value]);

  useEffect(() => {
    view.current?.contentDOM.setAttribute('aria-invalid', invalid ? 'true' : 'false');
  }, [invalid]);

  return <div ref={host} className="json-editor" />;
}
