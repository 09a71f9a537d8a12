// The shell every page shares: one self-contained HTML document (styles,
// script and data inline, no network fetch), the data as JSON in a
// <script type="application/json"> the page's own script reads.

/** JSON safe inside <script>: no `</script>`, no `<!--`, no U+2028/9 line breaks. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface PageParts {
  readonly title: string;
  readonly css: string;
  readonly body: string;
  readonly data: unknown;
  readonly script: string;
}

/** Nothing may load from elsewhere: the CSP says so to the browser too. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

export function page(p: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${escapeHtml(p.title)}</title>
<style>${p.css}</style>
</head>
<body>
${p.body}
<script type="application/json" id="data">${inlineJson(p.data)}</script>
<script>${p.script}</script>
</body>
</html>
`;
}

/** Colours, type and print rules both pages share. */
export const BASE_CSS = `
:root{--bg:#fff;--fg:#1b1f24;--muted:#5b6470;--line:#d5dae0;--grid:#eceff3;--card:#f6f8fa;--s1:#2563eb;--s2:#c2410c;--err:#dc2626;--ok:#15803d;--band:rgba(220,38,38,.13);--band-edge:rgba(220,38,38,.55);--cold:#7c3aed;--link:#1d4ed8}
@media (prefers-color-scheme:dark){:root{--bg:#0f1318;--fg:#e6e9ed;--muted:#9aa4b1;--line:#2c343e;--grid:#1c232b;--card:#161c23;--s1:#60a5fa;--s2:#fb923c;--err:#f87171;--ok:#4ade80;--band:rgba(248,113,113,.16);--band-edge:rgba(248,113,113,.6);--cold:#a78bfa;--link:#93c5fd}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;padding:16px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{font-size:1.4rem;margin:0 0 4px}h2{font-size:1.1rem;margin:24px 0 8px}h3{font-size:1rem;margin:16px 0 6px}
a{color:var(--link)}
.muted{color:var(--muted)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}
td.num,th.num{text-align:right}
.err{color:var(--err)}.ok{color:var(--ok)}
@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;--grid:#e5e5e5;--card:#fff;--link:#000}body{padding:0;font-size:11px}a{text-decoration:none}section,figure,tr{break-inside:avoid}}
`;
