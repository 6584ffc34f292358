/**
 * The HTML report without a browser: escaping (rule, case and event text is never markup), the
 * sections of the index and the rule pages, gate data, file names, the writer, and the CLI.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from '../../src/report/html/html.js';
import { renderHtmlReport, rulePageFiles } from '../../src/report/html/render-html-report.js';
import type { GateEntry } from '../../src/report/html/render-html-report.js';
import { writeHtmlReport } from '../../src/report/html/write-html-report.js';
import { buildHtmlExtras } from '../../src/app/html-extras.js';
import { INDEX_SCRIPT, contentSecurityPolicy } from '../../src/report/html/assets.js';
import { loadAndRunSuite } from '../../src/app/run-suite.js';
import { runCli } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

const EVIL = '<script>alert("t")</script>';
const A = '11111111-2222-4333-8444-555555555555';
const B = '21111111-2222-4333-8444-555555555555';

const RULE_A = `title: 'Evil ${EVIL} & "quoted"'
id: ${A}
description: 'Describes <img src=x onerror=alert(1)> here'
level: high
tags:
  - attack.persistence
  - attack.t1547.001
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\who</pre><script>x()</script>ami.exe'
    filter:
        User: 'SYSTEM<b>'
    condition: sel and not filter
`;
const RULE_B = `title: Other Rule
id: ${B}
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\net.exe'
    condition: sel
`;
const CASES = `rule: ${A}
cases:
  - name: 'hit <i>italic</i>'
    expect: match
    event: {Image: 'C:\\\\w\\\\who</pre><script>x()</script>ami.exe', User: bob}
  - name: excluded
    expect: no-match
    event: {Image: 'C:\\\\w\\\\who</pre><script>x()</script>ami.exe', User: 'SYSTEM<b>'}
  - name: 'wrongly expected <u>match</u>'
    expect: match
    event: {Image: 'C:\\\\w\\\\cmd.exe'}
`;

function suite(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-html-'));
  mkdirSync(join(d, 'rules', 'sub'), { recursive: true });
  mkdirSync(join(d, 'cases'));
  writeFileSync(join(d, 'rules', 'a.yml'), RULE_A);
  writeFileSync(join(d, 'rules', 'sub', 'a.yml'), RULE_B);
  writeFileSync(join(d, 'cases', 'a.yml'), CASES);
  return d;
}

function render(gate?: GateEntry[]): { d: string; files: Map<string, string> } {
  const d = suite();
  const run = loadAndRunSuite([join(d, 'rules')], [join(d, 'cases')], { cwd: d });
  const extras = buildHtmlExtras(run.report, run.rules, { mapping: run.mapping });
  if (gate !== undefined) extras.gate = gate;
  return { d, files: renderHtmlReport(run.report, extras) };
}

/** Every `<script` tag in a page. */
const scriptTags = (text: string): number => (text.match(/<script/gi) ?? []).length;

describe('escaping', () => {
  it('escapes the five HTML characters and every interpolation of the template', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const v = '"><script>1</script>';
    expect(html`<p title="${v}">${v}</p>`.html).toBe('<p title="&quot;&gt;&lt;script&gt;1&lt;/script&gt;">&quot;&gt;&lt;script&gt;1&lt;/script&gt;</p>');
    expect(html`${[1, 'a<', null, undefined, false, html`<b>`, trusted('<i>')]}`.html).toBe('1a&lt;<b><i>');
  });

  it('renders rule, case and event text as text: no injected element or attribute', () => {
    const { files } = render();
    const index = files.get('index.html') as string;
    const page = files.get('rules/a.html') as string;
    expect(scriptTags(index)).toBe(1); // the report's own inline script
    expect(scriptTags(page)).toBe(0);
    expect(index).toContain('Evil &lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; &quot;quoted&quot;');
    expect(page).toContain('<h1>Evil &lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; &quot;quoted&quot;</h1>');
    expect(page).toContain('Describes &lt;img src=x onerror=alert(1)&gt; here');
    expect(page).not.toMatch(/<img|SYSTEM<b>|<i>italic|<u>|<\/pre><script/);
    expect(page).toContain('hit &lt;i&gt;italic&lt;/i&gt;');
    // The YAML source, predicates and values keep the text, escaped.
    expect(page).toContain("Image|endswith: &#39;\\who&lt;/pre&gt;&lt;script&gt;x()&lt;/script&gt;ami.exe&#39;");
    expect(page).toContain('<code>SYSTEM&lt;b&gt;</code>');
  });

  it('allows only the inline script by hash and nothing from the network', () => {
    const { files } = render();
    const index = files.get('index.html') as string;
    expect(index).toContain(`content="${escapeHtml(contentSecurityPolicy([INDEX_SCRIPT]))}"`);
    expect(contentSecurityPolicy([INDEX_SCRIPT])).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/]+=*';/);
    expect(files.get('rules/a.html')).toContain('script-src &#39;none&#39;');
    for (const text of files.values()) expect(text).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });
});

describe('renderHtmlReport', () => {
  it('writes index.html and one page per rule with unique names', () => {
    const { files } = render();
    expect([...files.keys()].sort()).toEqual(['index.html', 'rules/a-2.html', 'rules/a.html']);
    expect(files.get('index.html')).toContain('href="rules/a.html"');
    expect(files.get('index.html')).toContain('href="rules/a-2.html"');
  });

  it('the index has a row per rule with status, cases, coverage bar, stages, fuzz count and tactics', () => {
    const { files } = render();
    const index = files.get('index.html') as string;
    expect(index.match(/<tr class="rule-row"/g)).toHaveLength(2);
    expect(index).toContain('data-status="fail"');
    expect(index).toContain('data-status="untested"');
    expect(index).toMatch(/<span class="bar[^"]*" role="img" aria-label="coverage [\d.]+%"><span style="width:[\d.]+%"><\/span><\/span>/);
    expect(index).toMatch(/<th class="sortable" data-type="text" aria-sort="none"><button type="button">ATT&amp;CK tactics<\/button><\/th>/);
    expect(index).toContain('<span class="tag">Persistence</span>');
    expect(index).toContain('<input type="search" id="filter"');
    expect(index).toContain('<select id="status-filter"');
    expect(index).toContain('<b>FAILED</b>');
    expect(index).toContain('1 case failed');
    expect(index).not.toContain('>Gate</button>');
  });

  it('the rule page has every section, the failure explained, and the exercised exclusions', () => {
    const { files } = render();
    const page = files.get('rules/a.html') as string;
    for (const id of ['attack', 'events', 'body', 'stages', 'exclusions', 'indicators', 'cases', 'fuzz']) expect(page).toContain(`<section id="${id}">`);
    expect(page).toContain('Persistence <span class="muted small">TA0003</span>');
    expect(page).toContain('T1547.001');
    expect(page).toContain('Event ID 1');
    expect(page.match(/<tr class="stage-row/g)).toHaveLength(3);
    expect(page).toMatch(/<pre class="wrap failure">expected match, got no-match/);
    expect(page).toMatch(/<li class="excl-exercised"><code>SYSTEM&lt;b&gt;<\/code> <span class="badge s-covered">exercised<\/span><div class="small muted">by <q>excluded<\/q><\/div><\/li>/);
    expect(page).toContain('href="../index.html"');
    const untested = files.get('rules/a-2.html') as string;
    expect(untested).toContain('No cases: the rule is untested.');
    // Untested rules are fuzzed too: their findings matter most.
    expect(untested).toMatch(/matching events? synthesised/);
  });

  it('shows fuzz findings with their example event and the replay seed', () => {
    const d = suite();
    const run = loadAndRunSuite([join(d, 'rules')], [join(d, 'cases')], { cwd: d });
    const extras = buildHtmlExtras(run.report, run.rules, { mapping: run.mapping });
    const real = extras.fuzz?.get('rules/a.yml');
    expect(real).toBeDefined();
    const fuzz = new Map([['rules/a.yml', { ...real!, findings: [{ code: 'EXCLUSION_EVADABLE' as const, severity: 'warning' as const, message: 'slips <through>', event: { Image: '<svg onload=x>' }, seed: 7, path: 'stage:2', stage: 'filter' }] }]]);
    const files = renderHtmlReport(run.report, { ...extras, fuzz });
    const page = files.get('rules/a.html') as string;
    expect(page).toContain('<code>EXCLUSION_EVADABLE</code>');
    expect(page).toContain('slips &lt;through&gt;');
    expect(page).toContain('<pre class="event">{\n  &quot;Image&quot;: &quot;&lt;svg onload=x&gt;&quot;\n}</pre>');
    expect(page).toContain('--seed 7');
    expect(files.get('index.html')).toContain('1 warning');
  });

  it('renders gate results when given: an index column and section, and a section on the rule page', () => {
    const gate: GateEntry[] = [
      { path: 'rules/a.yml', change: 'modified', diff: 'widened', checks: [{ name: 'cases', status: 'fail', message: 'case <x> failed' }, { name: 'schema', status: 'pass', message: 'ok' }], flipped: [{ Image: '<evil>' }] },
      { path: 'rules/gone.yml', change: 'deleted', diff: null, checks: [], flipped: [] },
    ];
    const { files } = render(gate);
    const index = files.get('index.html') as string;
    expect(index).toContain('>Gate</button>');
    expect(index).toContain('<section id="gate">');
    expect(index).toContain('<span class="badge s-widened">widened</span>');
    expect(index).toContain('<code>rules/gone.yml</code>');
    expect(index).toContain('case &lt;x&gt; failed');
    const page = files.get('rules/a.html') as string;
    expect(page).toContain('<section id="gate">');
    expect(page).toContain('matches now, did not before');
    expect(page).toContain('&quot;Image&quot;: &quot;&lt;evil&gt;&quot;');
    expect(files.get('rules/a-2.html')).not.toContain('<section id="gate">');
  });

  it('names pages after the rule file, safely', () => {
    const names = rulePageFiles({ rules: [{ path: 'r/x y.yml' }, { path: 'q/X Y.yaml' }, { path: '../..yml' }] } as never);
    expect(names).toEqual(['rules/x_y.html', 'rules/X_Y-2.html', 'rules/rule.html']);
  });
});

describe('writeHtmlReport', () => {
  it('creates the folder, writes every file and leaves other files alone', () => {
    const d = join(mkdtempSync(join(tmpdir(), 'sigmatest-html-out-')), 'nested', 'out');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'keep.txt'), 'mine');
    const written = writeHtmlReport(d, new Map([['index.html', '<p>i</p>'], ['rules/x.html', '<p>x</p>']]));
    expect(written).toEqual([join(d, 'index.html'), join(d, 'rules', 'x.html')]);
    expect(readFileSync(join(d, 'rules', 'x.html'), 'utf8')).toBe('<p>x</p>');
    expect(readFileSync(join(d, 'keep.txt'), 'utf8')).toBe('mine');
    expect(() => writeHtmlReport(d, new Map([['../escape.html', 'x']]))).toThrow(/outside the report folder/);
    expect(() => writeHtmlReport(d, new Map([['rules/../../escape.html', 'x']]))).toThrow(/outside the report folder/);
  });
});

describe('sigmatest run --reporter html', () => {
  function capture(cwd: string): Io & { stderr: () => string; stdout: () => string } {
    let out = '';
    let err = '';
    return { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, cwd, stdout: () => out, stderr: () => err };
  }

  it('writes the site into --out and exits like the other reporters', async () => {
    const d = suite();
    const io = capture(d);
    const out = join(d, 'site');
    const code = await runCli(['run', '--rules', join(d, 'rules'), '--cases', join(d, 'cases'), '--reporter', 'html', '--out', out], io);
    expect(code).toBe(1); // one case fails
    expect(io.stdout()).toBe('');
    expect(io.stderr()).toMatch(/html report written to .*index\.html \(3 files\)/);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(readFileSync(join(out, 'rules', 'a.html'), 'utf8')).toContain('<section id="fuzz">');
  });

  it('needs --out', async () => {
    const d = suite();
    const io = capture(d);
    const code = await runCli(['run', '--rules', join(d, 'rules'), '--cases', join(d, 'cases'), '--reporter', 'html'], io);
    expect(code).toBe(2);
    expect(io.stderr()).toMatch(/--reporter html writes a folder; give it with --out <dir>/);
  });
});
