import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/report-html/escape.js';
import { renderHtmlReport } from '../../src/report-html/render.js';
import { BREAKOUT, hostileModel, SCRIPT, STYLE_BREAK } from './hostile-model.js';

/** The page's start tags with their attributes, quoted values read whole (so escaped text inside one is not mistaken for markup). */
function tagsOf(page: string): Array<{ name: string; attributes: Array<[string, string]> }> {
  const tags = [];
  for (const tag of page.matchAll(/<([a-zA-Z][\w:-]*)((?:\s+[^\s=>\/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g)) {
    const attributes = [...(tag[2] ?? '').matchAll(/\s+([^\s=>\/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g)].map(
      (a): [string, string] => [(a[1] ?? '').toLowerCase(), (a[2] ?? '').replace(/^["']|["']$/g, '')],
    );
    tags.push({ name: (tag[1] ?? '').toLowerCase(), attributes });
  }
  return tags;
}

describe('the HTML report escapes everything from user data', () => {
  const page = renderHtmlReport(hostileModel());

  it('shows a cell, header or file name holding <script> as text: no script, img or event handler reaches the markup', () => {
    const tags = tagsOf(page);
    expect(tags.length).toBeGreaterThan(50);
    expect(tags.map((t) => t.name).filter((name) => ['script', 'img', 'iframe', 'object', 'embed'].includes(name))).toEqual([]);
    expect(tags.flatMap((t) => t.attributes.map(([name]) => name)).filter((name) => name.startsWith('on'))).toEqual([]);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain(escapeHtml(SCRIPT));
    expect(page).toContain(escapeHtml(BREAKOUT));
    expect(page).toContain(escapeHtml(STYLE_BREAK));
    // The only </style> is the one closing our own style sheet.
    expect(page.match(/<\/style>/gi)).toHaveLength(1);
  });

  it('escapes the five characters that can end a text or an attribute value', () => {
    expect(escapeHtml(`<a href='x' title="y">&</a>`)).toBe('&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;');
  });

  it('names the source rows of the first examples of each error', () => {
    expect(page).toContain('row 4, ');
    expect(page).toContain('row 8, ');
    expect(page).toContain('38 read = 28 sent + 10 invalid');
  });
});

describe('the HTML report is self-contained', () => {
  const page = renderHtmlReport(hostileModel());

  it('has no src or href pointing anywhere (no http(s), protocol-relative or file URL), no external style sheet, no script', () => {
    const references = tagsOf(page).flatMap((t) => t.attributes.filter(([name]) => ['src', 'href', 'xlink:href', 'action', 'poster', 'srcset', 'data'].includes(name)));
    expect(references).toEqual([]);
    expect(page).not.toMatch(/\s(src|href)\s*=\s*["']?\s*(https?:|\/\/)/i);
    expect(page).not.toMatch(/<link\b/i);
    expect(page).not.toMatch(/@import|url\(/i);
    expect(page).not.toMatch(/<(script|iframe|object|embed)\b/i);
  });

  it('forbids loading anything and running scripts through its Content-Security-Policy', () => {
    expect(page).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">/);
  });

  it('draws its charts as inline SVG', () => {
    expect(page.match(/<svg\b/g)?.length).toBeGreaterThanOrEqual(3);
  });
});
