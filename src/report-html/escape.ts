/**
 * Everything from user data (cells, headers, messages, file names) goes through escapeHtml
 * before it reaches the page: a cell holding `<script>` or `" onload="` must show as text.
 * The same escaping is right for text and for double- or single-quoted attribute values,
 * in HTML and in inline SVG.
 */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (char) => REPLACEMENTS[char] as string);
}

/** A tagged template that escapes every interpolated value unless it is already Html. */
export interface Html {
  readonly html: string;
}

export function raw(html: string): Html {
  return { html };
}

export type HtmlPart = Html | string | number | readonly HtmlPart[];

function partToHtml(part: HtmlPart): string {
  if (typeof part === 'string' || typeof part === 'number') return escapeHtml(part);
  if (Array.isArray(part)) return part.map(partToHtml).join('');
  return (part as Html).html;
}

export function html(strings: TemplateStringsArray, ...parts: HtmlPart[]): Html {
  let out = strings[0] as string;
  parts.forEach((part, i) => {
    out += partToHtml(part) + (strings[i + 1] as string);
  });
  return { html: out };
}
