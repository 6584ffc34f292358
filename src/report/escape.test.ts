/** The escapers of every output format: terminal, XML, HTML, Markdown, GitHub workflow commands. */
import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  githubData,
  githubProperty,
  markdownCell,
  markdownCode,
  markdownCodeCell,
  markdownFence,
  markdownText,
  terminalSafe,
  xmlEscape,
} from './escape.js';

describe('terminalSafe', () => {
  it('shows control characters and bidi overrides escaped, keeps newlines, tabs and other text', () => {
    expect(terminalSafe('red \x1b[31mX\x1b[0m')).toBe('red \\x1b[31mX\\x1b[0m');
    expect(terminalSafe('bell\x07 back\x08 cr\r del\x7f csi\x9b')).toBe('bell\\x07 back\\x08 cr\\x0d del\\x7f csi\\x9b');
    expect(terminalSafe('abc\u202Efed\u2066x\u2069')).toBe('abc\\u202efed\\u2066x\\u2069');
    expect(terminalSafe('two\nlines\tand tab, C:\\Windows, ünïcode 日本 ✓')).toBe('two\nlines\tand tab, C:\\Windows, ünïcode 日本 ✓');
  });
});

describe('xmlEscape', () => {
  it('escapes markup and quotes, shows characters XML 1.0 forbids as escapes', () => {
    expect(xmlEscape(`<a b="c">'&'</a>`)).toBe('&lt;a b=&quot;c&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(xmlEscape('esc\x1b[1m bell\x07 nul\0 \uffff keep\ttab\nline')).toBe('esc\\x1b[1m bell\\x07 nul\\x00 \\uffff keep\ttab\nline');
  });
});

describe('escapeHtml', () => {
  it('escapes text and attribute values', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('Markdown', () => {
  it('escapes Markdown syntax in free text but keeps words and Windows paths readable', () => {
    expect(markdownText('Provider_Name a_b')).toBe('Provider_Name a_b');
    expect(markdownText('_lead trail_ *x* `c` <b> [l] a|b')).toBe('\\_lead trail\\_ \\*x\\* \\`c\\` \\<b\\> \\[l\\] a\\|b');
    expect(markdownText('C:\\Windows\\x.exe')).toBe('C:\\Windows\\x.exe');
    expect(markdownText('a\\*b')).toBe('a\\\\\\*b');
    expect(markdownText('<img src=x onerror=alert(1)>')).toBe('\\<img src=x onerror=alert(1)\\>');
    expect(markdownText('esc\x1b[1m')).toBe('esc\\x1b\\[1m');
  });

  it('puts a table cell of free text on one line', () => {
    expect(markdownCell('a|b\nc\r\nd\re')).toBe('a\\|b c d e');
  });

  it('puts values in code spans safe for table cells', () => {
    expect(markdownCodeCell('C:\\Windows\\*.exe')).toBe('`C:\\Windows\\*.exe`');
    expect(markdownCodeCell('a|b')).toBe('`a\\|b`');
    expect(markdownCodeCell('x`y')).toBe('`` x`y ``');
    expect(markdownCodeCell(' lead')).toBe('`  lead `'); // CommonMark strips one space on each side
    expect(markdownCodeCell('two\nlines')).toBe('`two⏎lines`');
    expect(markdownCodeCell('')).toBe('*(empty string)*');
    expect(markdownCodeCell('\x1b[2J')).toBe('`\\x1b[2J`');
  });

  it('leaves | alone in code spans outside tables', () => {
    expect(markdownCode('rules/a|b.yml:3')).toBe('`rules/a|b.yml:3`');
    expect(markdownCode('``x``')).toBe('``` ``x`` ```');
  });

  it('makes fences longer than any fence line of the content', () => {
    expect(markdownFence('a\r\nb', 'yaml')).toBe('```yaml\na\nb\n```');
    expect(markdownFence('x\n```\ny')).toBe('````\nx\n```\ny\n````');
    expect(markdownFence('  ````` deep')).toBe('``````\n  ````` deep\n``````');
  });
});

describe('GitHub workflow commands', () => {
  it('encodes %, CR and LF in messages and also : and , in properties', () => {
    expect(githubData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(githubProperty('rules/a:b,c.yml')).toBe('rules/a%3Ab%2Cc.yml');
    expect(githubData('::error::x\x1b[31m')).toBe('::error::x\\x1b[31m');
  });
});
